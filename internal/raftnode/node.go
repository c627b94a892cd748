package raftnode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/concordkv/concord/internal/snap"
	"github.com/concordkv/concord/internal/wal"
)

// ErrStopped is returned by calls on a node that has stopped.
var ErrStopped = errors.New("raftnode: stopped")

// StateMachine is the replicated state. All methods are called on the raft
// goroutine, one at a time.
type StateMachine interface {
	// Apply applies committed entries, in log order. It must be
	// deterministic: the same entries give the same state on every member.
	// Conf-change entries are passed too (after raft has applied them).
	Apply(ents []raftpb.Entry)
	// Snapshot captures the state as of the last applied entry cheaply; the
	// returned function writes it out and runs on another goroutine while
	// Apply continues.
	Snapshot() func(io.Writer) error
	// Restore replaces the whole state with a snapshot's data.
	Restore(data []byte) error
}

// Transport carries raft messages to other members. Send must not block.
type Transport interface {
	Send(msgs []raftpb.Message)
}

// Config configures a Node.
type Config struct {
	// ID is this member's raft ID.
	ID uint64
	// Peers is the initial membership, used only to bootstrap a member whose
	// data directory is empty.
	Peers []raft.Peer
	// Dir holds the member's wal/ and snap/ folders.
	Dir string
	// TickInterval is the duration of one raft tick; ElectionTicks and
	// HeartbeatTicks are counted in ticks.
	TickInterval                  time.Duration
	ElectionTicks, HeartbeatTicks int
	// SnapshotCount applied entries trigger a snapshot; SnapshotCatchUpEntries
	// stay in the in-memory log behind it for slow followers.
	SnapshotCount, SnapshotCatchUpEntries uint64
	// WAL is passed to wal.Open (tests inject fsync failures here).
	WAL          wal.Options
	StateMachine StateMachine
	Transport    Transport
	Logger       *slog.Logger
	// OnLeading, when set, is called on the raft goroutine with true once
	// this member leads and has applied the first entry of its term (so its
	// state includes everything committed before), and with false as soon as
	// it stops leading, with the raft term. It must not block.
	OnLeading func(leading bool, term uint64)
}

// Status is a point-in-time view of the node, published by the loop.
type Status struct {
	ID, Lead, Term  uint64
	State           raft.StateType
	Commit, Applied uint64
	LastIndex       uint64
	// SnapshotsReceived counts snapshots installed from a leader since start.
	SnapshotsReceived uint64
}

// Node is one member's raft participant. Its exported methods are safe for
// concurrent use; the raft state itself is owned by the loop goroutine.
type Node struct {
	cfg     Config
	log     *slog.Logger
	rn      *raft.RawNode // owned by the loop goroutine
	storage *raft.MemoryStorage
	wal     *wal.WAL
	snaps   *snap.Dir

	propc   chan propRequest
	recvc   chan raftpb.Message
	readc   chan chan readResult
	reportc chan func(*raft.RawNode)
	snapc   chan snapDone
	stopc   chan struct{}
	stopped sync.Once
	done    chan struct{} // closed when the loop has exited
	err     error         // why the loop exited; written before done is closed

	status            atomic.Pointer[Status]
	snapshotsReceived atomic.Uint64

	appliedMu sync.Mutex    // protects appliedCh
	appliedCh chan struct{} // closed and replaced whenever applied advances
	applied   atomic.Uint64

	wg sync.WaitGroup // the loop and snapshot writers
}

type propRequest struct {
	data []byte
	errc chan error
}

// Start opens (or creates) the member's WAL and snapshots, restores the state
// machine from them, and starts the loop.
func Start(cfg Config) (*Node, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WAL.Logger == nil {
		cfg.WAL.Logger = cfg.Logger
	}
	w, err := wal.Open(filepath.Join(cfg.Dir, "wal"), cfg.WAL)
	if err != nil {
		return nil, fmt.Errorf("raftnode: open wal: %w", err)
	}
	snaps, err := snap.Open(filepath.Join(cfg.Dir, "snap"))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := &Node{
		cfg:       cfg,
		log:       cfg.Logger.With("member", fmt.Sprintf("%x", cfg.ID)),
		storage:   raft.NewMemoryStorage(),
		wal:       w,
		snaps:     snaps,
		propc:     make(chan propRequest, 4096),
		recvc:     make(chan raftpb.Message, 4096),
		readc:     make(chan chan readResult, 4096),
		reportc:   make(chan func(*raft.RawNode), 256),
		snapc:     make(chan snapDone, 1),
		stopc:     make(chan struct{}),
		done:      make(chan struct{}),
		appliedCh: make(chan struct{}),
	}
	lp, err := n.restore()
	if err != nil {
		w.Close()
		return nil, err
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.err = lp.run()
		if n.err != nil {
			n.log.Error("raft loop stopped", "err", n.err)
		}
		if err := n.wal.Close(); err != nil && n.err == nil {
			n.err = err
		}
		close(n.done)
	}()
	return n, nil
}

// restore rebuilds raft storage and the state machine from disk and
// creates the RawNode; it returns the loop ready to run.
func (n *Node) restore() (*loop, error) {
	lp := &loop{n: n, reads: newReadBatcher()}
	meta := n.wal.Snapshot()
	if meta.Index > 0 {
		s, err := n.snaps.Load(meta.Term, meta.Index)
		if err != nil {
			return nil, fmt.Errorf("raftnode: load snapshot named by the wal: %w", err)
		}
		if err := n.storage.ApplySnapshot(s); err != nil {
			return nil, fmt.Errorf("raftnode: apply snapshot %d to storage: %w", meta.Index, err)
		}
		if err := n.cfg.StateMachine.Restore(s.Data); err != nil {
			return nil, fmt.Errorf("raftnode: restore state from snapshot %d: %w", meta.Index, err)
		}
		lp.applied, lp.snapIndex, lp.confState = meta.Index, meta.Index, meta.ConfState
	}
	hs, ents := n.wal.HardState(), n.wal.Entries()
	if err := n.storage.SetHardState(hs); err != nil {
		return nil, fmt.Errorf("raftnode: set hard state: %w", err)
	}
	if err := n.storage.Append(ents); err != nil {
		return nil, fmt.Errorf("raftnode: append %d recovered entries: %w", len(ents), err)
	}
	rn, err := raft.NewRawNode(&raft.Config{
		ID:                        n.cfg.ID,
		ElectionTick:              n.cfg.ElectionTicks,
		HeartbeatTick:             n.cfg.HeartbeatTicks,
		Storage:                   n.storage,
		Applied:                   lp.applied,
		MaxSizePerMsg:             1 << 20,
		MaxCommittedSizePerReady:  64 << 20,
		MaxUncommittedEntriesSize: 1 << 30,
		MaxInflightMsgs:           512,
		CheckQuorum:               true,
		PreVote:                   true,
		ReadOnlyOption:            raft.ReadOnlySafe,
		Logger:                    raftLogger{n.log},
	})
	if err != nil {
		return nil, fmt.Errorf("raftnode: create raft node: %w", err)
	}
	fresh := meta.Index == 0 && raft.IsEmptyHardState(hs) && len(ents) == 0
	if fresh {
		if err := rn.Bootstrap(n.cfg.Peers); err != nil {
			return nil, fmt.Errorf("raftnode: bootstrap: %w", err)
		}
		n.log.Info("bootstrapped new member", "peers", len(n.cfg.Peers))
	} else {
		n.log.Info("restarted member", "snapshot", meta.Index, "entries", len(ents), "term", hs.Term, "commit", hs.Commit)
	}
	n.rn = rn
	n.applied.Store(lp.applied)
	n.publishStatus()
	return lp, nil
}

// Propose hands data to raft. It returns once raft has taken the proposal
// (or refused it, e.g. raft.ErrProposalDropped when there is no leader); the
// caller learns the outcome when the entry is applied.
func (n *Node) Propose(ctx context.Context, data []byte) error {
	req := propRequest{data: data, errc: make(chan error, 1)}
	select {
	case n.propc <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return ErrStopped
	}
	select {
	case err := <-req.errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return ErrStopped
	}
}

// Process delivers a message from another member (transport.Raft).
func (n *Node) Process(ctx context.Context, m raftpb.Message) error {
	select {
	case n.recvc <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return ErrStopped
	}
}

// ReportUnreachable tells raft that sending to id failed (transport.Raft).
func (n *Node) ReportUnreachable(id uint64) {
	n.report(func(rn *raft.RawNode) { rn.ReportUnreachable(id) })
}

// ReportSnapshot tells raft how sending a snapshot to id ended
// (transport.Raft).
func (n *Node) ReportSnapshot(id uint64, status raft.SnapshotStatus) {
	n.report(func(rn *raft.RawNode) { rn.ReportSnapshot(id, status) })
}

// report hands a transport report to the loop. It blocks rather than drop
// the report: a lost snapshot failure would leave the leader waiting on that
// follower forever. The transport never reports from the goroutine that
// calls Send, so the loop cannot be waiting on this caller.
func (n *Node) report(f func(*raft.RawNode)) {
	select {
	case n.reportc <- f:
	case <-n.done:
	}
}

// WaitApplied blocks until the state machine has applied index.
func (n *Node) WaitApplied(ctx context.Context, index uint64) error {
	for {
		n.appliedMu.Lock()
		ch := n.appliedCh
		n.appliedMu.Unlock()
		if n.applied.Load() >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-n.done:
			return ErrStopped
		}
	}
}

func (n *Node) setApplied(index uint64) {
	n.applied.Store(index)
	n.appliedMu.Lock()
	close(n.appliedCh)
	n.appliedCh = make(chan struct{})
	n.appliedMu.Unlock()
}

// Status returns the node's latest published status.
func (n *Node) Status() Status { return *n.status.Load() }

func (n *Node) publishStatus() {
	bs := n.rn.BasicStatus()
	last, _ := n.storage.LastIndex()
	n.status.Store(&Status{
		ID: bs.ID, Lead: bs.Lead, Term: bs.Term, State: bs.RaftState,
		Commit: bs.Commit, Applied: n.applied.Load(), LastIndex: last,
		SnapshotsReceived: n.snapshotsReceived.Load(),
	})
}

// Done is closed when the node has stopped, by Stop or by a fatal error.
func (n *Node) Done() <-chan struct{} { return n.done }

// Err reports why the node stopped; nil after a clean Stop. Valid after Done
// is closed.
func (n *Node) Err() error {
	<-n.done
	return n.err
}

// Stop stops the loop and waits for every goroutine of the node to exit.
func (n *Node) Stop() {
	n.stopped.Do(func() { close(n.stopc) })
	n.wg.Wait()
}
