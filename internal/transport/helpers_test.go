package transport

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

const (
	testCluster = 0xC0C0
	// waitFor bounds every poll; generous because -race slows everything.
	waitFor = 10 * time.Second
)

// checkFor polls cond until it holds, failing the test after waitFor.
func checkFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitFor, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// recorder is a fake Raft that records everything a Transport hands it.
type recorder struct {
	mu          sync.Mutex // protects the following fields
	got         map[uint64][]raftpb.Message
	unreachable map[uint64]int
	snapshots   map[uint64][]raft.SnapshotStatus
}

var _ Raft = (*recorder)(nil)

func newRecorder() *recorder {
	return &recorder{
		got:         make(map[uint64][]raftpb.Message),
		unreachable: make(map[uint64]int),
		snapshots:   make(map[uint64][]raft.SnapshotStatus),
	}
}

func (r *recorder) Process(_ context.Context, m raftpb.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[m.From] = append(r.got[m.From], m)
	return nil
}

func (r *recorder) ReportUnreachable(id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unreachable[id]++
}

func (r *recorder) ReportSnapshot(id uint64, status raft.SnapshotStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots[id] = append(r.snapshots[id], status)
}

// received returns the messages received from member from, in order.
func (r *recorder) received(from uint64) []raftpb.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]raftpb.Message(nil), r.got[from]...)
}

// indexes returns the Index of each message received from member from.
func (r *recorder) indexes(from uint64) []uint64 {
	var idx []uint64
	for _, m := range r.received(from) {
		idx = append(idx, m.Index)
	}
	return idx
}

func (r *recorder) count(from uint64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[from])
}

func (r *recorder) unreachableReports(id uint64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unreachable[id]
}

func (r *recorder) snapshotReports(id uint64) []raft.SnapshotStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]raft.SnapshotStatus(nil), r.snapshots[id]...)
}

// logBuffer collects a member's log; it is printed if the test fails.
type logBuffer struct {
	mu  sync.Mutex // protects buf
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// member is one Transport of a test cluster, serving on 127.0.0.1.
type member struct {
	id       uint64
	addr     string
	tr       *Transport
	rec      *recorder
	log      *logBuffer
	served   chan error // Serve's result
	stopOnce sync.Once
}

// startMember starts member id on a random port; tune may adjust its
// Config. The member is stopped when the test ends.
func startMember(t testing.TB, id uint64, tune func(*Config)) *member {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serveMember(t, id, ln, tune)
}

// serveMember starts member id serving on ln.
func serveMember(t testing.TB, id uint64, ln net.Listener, tune func(*Config)) *member {
	t.Helper()
	m := &member{id: id, addr: ln.Addr().String(), rec: newRecorder(), log: &logBuffer{}, served: make(chan error, 1)}
	cfg := Config{
		ID:        id,
		ClusterID: testCluster,
		Raft:      m.rec,
		Logger:    slog.New(slog.NewTextHandler(m.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tune != nil {
		tune(&cfg)
	}
	m.tr = New(cfg)
	go func() { m.served <- m.tr.Serve(ln) }()
	t.Cleanup(func() {
		m.stop(t)
		if t.Failed() {
			t.Logf("log of member %d:\n%s", id, m.log)
		}
	})
	return m
}

// stop closes the member's Transport and checks that Serve returned nil.
func (m *member) stop(t testing.TB) {
	m.stopOnce.Do(func() {
		closed := make(chan error, 1)
		go func() { closed <- m.tr.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("member %d: Close: %v", m.id, err)
			}
		case <-time.After(waitFor):
			t.Errorf("member %d: Close did not return", m.id)
			return
		}
		select {
		case err := <-m.served:
			if err != nil {
				t.Errorf("member %d: Serve: %v", m.id, err)
			}
		case <-time.After(waitFor):
			t.Errorf("member %d: Serve did not return after Close", m.id)
		}
	})
}

// connectAll makes every member a peer of every other.
func connectAll(ms ...*member) {
	for _, a := range ms {
		for _, b := range ms {
			a.tr.AddPeer(b.id, b.addr)
		}
	}
}

// app returns a MsgApp from from to to whose Index tells messages apart.
func app(from, to, index uint64) raftpb.Message {
	return raftpb.Message{Type: raftpb.MsgApp, From: from, To: to, Term: 1, Index: index}
}

// appWithEntry returns app(from, to, index) carrying one entry of size bytes.
func appWithEntry(from, to, index uint64, size int) raftpb.Message {
	m := app(from, to, index)
	m.Entries = []raftpb.Entry{{Term: 1, Index: index + 1, Data: make([]byte, size)}}
	return m
}

// seq returns 1..n.
func seq(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}
