package apply

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/membership"
	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/proposal"
	"github.com/concordkv/concord/internal/znode"
)

// ErrLeaseNotFound is returned for a write naming a lease that does not
// exist.
var ErrLeaseNotFound = errors.New("apply: requested lease not found")

// handler applies one command's payload and returns the caller's result.
type handler func(m *Machine, payload []byte) (any, error)

// handlers is the dispatch table: every command kind this build applies.
// An entry of a kind missing here stops the member (see applyCommand).
var handlers = map[Kind]handler{
	KindPut:             (*Machine).applyPut,
	KindDeleteRange:     (*Machine).applyDeleteRange,
	KindTxn:             (*Machine).applyTxn,
	KindCompact:         (*Machine).applyCompact,
	KindPublish:         (*Machine).applyPublish,
	KindLeaseGrant:      (*Machine).applyLeaseGrant,
	KindLeaseRevoke:     (*Machine).applyLeaseRevoke,
	KindLeaseCheckpoint: (*Machine).applyLeaseCheckpoint,
	KindZnode:           (*Machine).applyZnode,
}

// Observer is told of every change the apply step makes to the store (the
// watch hub). Both methods are called on the apply goroutine and must not
// block; Notify is called under the znode.Tree's write lock (see
// znode.New), so it must not read the Tree.
type Observer interface {
	// Notify reports the events of the write transaction that produced rev.
	Notify(rev int64, events []mvccpb.Event)
	// Resync reports that the store jumped to rev (a snapshot was restored).
	Resync(rev int64)
}

// Config holds what a Machine is built from.
type Config struct {
	Store    *mvcc.Store
	Leases   *lease.Table
	Wait     *proposal.Wait // receives the result of every command with an ID
	Observer Observer
	Logger   *slog.Logger
}

// Machine is the replicated state: the MVCC store, the lease table, the
// membership table and the ZooKeeper metadata (znode.Tree), through which
// every write to the store goes.
// Apply, Snapshot and Restore run on the raft goroutine (raftnode's
// StateMachine); Range and the accessors may be called from any goroutine.
type Machine struct {
	store    *mvcc.Store
	leases   *lease.Table
	tree     *znode.Tree
	members  *membership.Table
	wait     *proposal.Wait
	observer Observer
	log      *slog.Logger
	term     uint64 // raft term of the entry being applied (apply goroutine only)
}

// New returns a state machine over cfg.Store with an empty membership.
func New(cfg Config) *Machine {
	return &Machine{store: cfg.Store, leases: cfg.Leases, tree: znode.New(cfg.Store, cfg.Leases, cfg.Observer.Notify),
		members: membership.NewTable(), wait: cfg.Wait, observer: cfg.Observer, log: cfg.Logger}
}

// Znodes returns the ZooKeeper view of the state (a znode.Reader).
func (m *Machine) Znodes() *znode.Tree { return m.tree }

// Store returns the MVCC store (for reads and hashing).
func (m *Machine) Store() *mvcc.Store { return m.store }

// Members returns the membership table.
func (m *Machine) Members() *membership.Table { return m.members }

// Apply applies committed entries in order.
func (m *Machine) Apply(ents []raftpb.Entry) {
	for i := range ents {
		e := &ents[i]
		switch e.Type {
		case raftpb.EntryNormal:
			if len(e.Data) > 0 { // empty entries are appended by each new leader
				m.applyCommand(e)
			}
		case raftpb.EntryConfChange:
			var cc raftpb.ConfChange
			if err := cc.Unmarshal(e.Data); err != nil {
				panic(fmt.Sprintf("apply: conf change at index %d: %v", e.Index, err))
			}
			m.applyConfChange(cc)
		}
	}
}

func (m *Machine) applyCommand(e *raftpb.Entry) {
	cmd, err := Decode(e.Data)
	if err != nil {
		// Every member holds the same entry, so skipping it on one would be
		// as wrong as on all: stop loudly instead.
		panic(fmt.Sprintf("apply: entry %d: %v", e.Index, err))
	}
	h, ok := handlers[cmd.Kind&^kindIgnorable]
	if !ok {
		if cmd.Kind&kindIgnorable == 0 {
			panic(fmt.Sprintf("apply: entry %d has command kind %d, unknown to this build; upgrade this member", e.Index, cmd.Kind))
		}
		m.log.Warn("skipping ignorable command unknown to this build", "index", e.Index, "kind", cmd.Kind)
		return
	}
	m.term = e.Term
	v, err := h(m, cmd.Payload)
	if cmd.ID != 0 {
		m.wait.Trigger(cmd.ID, proposal.Result{Value: v, Err: err})
	}
}

func (m *Machine) applyConfChange(cc raftpb.ConfChange) {
	switch cc.Type {
	case raftpb.ConfChangeAddNode, raftpb.ConfChangeAddLearnerNode, raftpb.ConfChangeUpdateNode:
		mem, err := membership.Decode(cc.Context)
		if err != nil {
			panic(fmt.Sprintf("apply: conf change for member %x: %v", cc.NodeID, err))
		}
		mem.ID = cc.NodeID
		m.members.Add(mem)
	case raftpb.ConfChangeRemoveNode:
		m.members.Remove(cc.NodeID)
	}
}

func (m *Machine) applyPublish(payload []byte) (any, error) {
	var mem membership.Member
	if err := json.Unmarshal(payload, &mem); err != nil {
		return nil, fmt.Errorf("%w: publish: %v", ErrBadCommand, err)
	}
	m.members.Publish(mem.ID, mem.Name, mem.ClientURLs)
	return nil, nil
}

// snapshotMagic starts a state snapshot. Layout:
//
//	"CST3" | uvarint n | n bytes of membership JSON
//	       | uvarint l | l bytes of lease table (its own format)
//	       | uvarint z | z bytes of znode metadata (its own format)
//	       | mvcc view (its own format)
//
// Restore also reads "CST2" snapshots, which lack the znode metadata: it
// is rebuilt from the store (znode.Tree.Restore).
var (
	snapshotMagic   = []byte("CST3")
	snapshotMagicV2 = []byte("CST2")
)

// Snapshot captures the state now (O(1) for the store and the metadata)
// and returns the function that writes it.
func (m *Machine) Snapshot() func(io.Writer) error {
	view := m.store.View()
	meta := m.tree.Snapshot()
	leases := m.leases.Snapshot()
	members, err := json.Marshal(m.members)
	return func(w io.Writer) error {
		if err != nil {
			return fmt.Errorf("apply: snapshot membership: %w", err)
		}
		bw := bufio.NewWriter(w)
		bw.Write(snapshotMagic)
		for _, section := range [][]byte{members, leases, meta.Marshal()} {
			bw.Write(binary.AppendUvarint(nil, uint64(len(section))))
			bw.Write(section)
		}
		if _, err := view.WriteTo(bw); err != nil {
			return fmt.Errorf("apply: snapshot store: %w", err)
		}
		return bw.Flush()
	}
}

// Restore replaces the state with a snapshot written by Snapshot.
func (m *Machine) Restore(data []byte) error {
	v2 := bytes.HasPrefix(data, snapshotMagicV2)
	if !v2 && !bytes.HasPrefix(data, snapshotMagic) {
		return fmt.Errorf("apply: restore: snapshot does not start with %q or %q", snapshotMagic, snapshotMagicV2)
	}
	r := bytes.NewReader(data[len(snapshotMagic):])
	members, err := readSection(r)
	if err != nil {
		return fmt.Errorf("apply: restore membership: %w", err)
	}
	leases, err := readSection(r)
	if err != nil {
		return fmt.Errorf("apply: restore leases: %w", err)
	}
	var meta []byte // nil in a CST2 snapshot: rebuilt from the store
	if !v2 {
		if meta, err = readSection(r); err != nil {
			return fmt.Errorf("apply: restore znode metadata: %w", err)
		}
	}
	if err := json.Unmarshal(members, m.members); err != nil {
		return fmt.Errorf("apply: restore: %w", err)
	}
	if err := m.leases.Restore(leases); err != nil {
		return fmt.Errorf("apply: restore: %w", err)
	}
	if err := m.tree.Restore(meta, func() error { return m.store.Restore(r) }); err != nil {
		return fmt.Errorf("apply: restore store: %w", err)
	}
	m.observer.Resync(m.store.Rev())
	return nil
}

// readSection reads a uvarint length and that many bytes.
func readSection(r *bytes.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return nil, fmt.Errorf("bad section length")
	}
	b := make([]byte, n)
	io.ReadFull(r, b)
	return b, nil
}
