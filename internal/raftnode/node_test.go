package raftnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/concordkv/concord/internal/wal"
)

// listMachine is a state machine that appends every normal entry's data.
type listMachine struct {
	mu   sync.Mutex // protects data
	data [][]byte
}

func (m *listMachine) Apply(ents []raftpb.Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range ents {
		if e.Type == raftpb.EntryNormal && len(e.Data) > 0 {
			m.data = append(m.data, e.Data)
		}
	}
}

func (m *listMachine) Snapshot() func(io.Writer) error {
	m.mu.Lock()
	joined := bytes.Join(m.data, []byte{'\n'})
	m.mu.Unlock()
	return func(w io.Writer) error { _, err := w.Write(joined); return err }
}

func (m *listMachine) Restore(data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = nil
	if len(data) > 0 {
		m.data = bytes.Split(data, []byte{'\n'})
	}
	return nil
}

func (m *listMachine) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}

type noTransport struct{}

func (noTransport) Send([]raftpb.Message) {}

func startSingle(t *testing.T, dir string, sm StateMachine, leading chan bool, opts wal.Options) *Node {
	t.Helper()
	n, err := Start(Config{
		ID: 1, Peers: []raft.Peer{{ID: 1}}, Dir: dir,
		TickInterval: 10 * time.Millisecond, ElectionTicks: 10, HeartbeatTicks: 1,
		SnapshotCount: 50, SnapshotCatchUpEntries: 10,
		WAL: opts, StateMachine: sm, Transport: noTransport{},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnLeading: func(l bool, _ uint64) { leading <- l },
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return n
}

func TestSingleMemberProposeReadRestart(t *testing.T) {
	dir := t.TempDir()
	sm := &listMachine{}
	leading := make(chan bool, 10)
	n := startSingle(t, dir, sm, leading, wal.Options{})
	select {
	case l := <-leading:
		if !l {
			t.Fatal("OnLeading(false) before leading")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a single member never started leading")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 120; i++ { // more than SnapshotCount: a snapshot is taken on the way
		if err := n.Propose(ctx, []byte(fmt.Sprintf("e%d", i))); err != nil {
			t.Fatalf("Propose %d: %v", i, err)
		}
	}
	// Propose returns once raft took the entry, not once it is committed:
	// wait for the last one to apply, then a read index covers them all.
	for sm.len() < 120 {
		select {
		case <-ctx.Done():
			t.Fatalf("applied %d of 120 entries", sm.len())
		case <-time.After(5 * time.Millisecond):
		}
	}
	idx, err := n.ReadIndex(ctx)
	if err != nil {
		t.Fatalf("ReadIndex: %v", err)
	}
	if err := n.WaitApplied(ctx, idx); err != nil {
		t.Fatalf("WaitApplied: %v", err)
	}
	n.Stop()
	if l := <-leading; l {
		t.Fatal("Stop did not report OnLeading(false)")
	}
	if err := n.Err(); err != nil {
		t.Fatalf("clean stop reported %v", err)
	}

	sm2 := &listMachine{}
	n2 := startSingle(t, dir, sm2, leading, wal.Options{})
	defer n2.Stop()
	if err := n2.WaitApplied(ctx, idx); err != nil {
		t.Fatalf("restart WaitApplied: %v", err)
	}
	if sm2.len() != 120 {
		t.Fatalf("after restart the state holds %d entries, want 120", sm2.len())
	}
}

func TestStoppedNodeRefusesCalls(t *testing.T) {
	leading := make(chan bool, 10)
	n := startSingle(t, t.TempDir(), &listMachine{}, leading, wal.Options{})
	n.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := n.Propose(ctx, []byte("x")); !errors.Is(err, ErrStopped) {
		t.Fatalf("Propose after Stop = %v, want ErrStopped", err)
	}
	if _, err := n.ReadIndex(ctx); !errors.Is(err, ErrStopped) {
		t.Fatalf("ReadIndex after Stop = %v, want ErrStopped", err)
	}
}
