package transport

import (
	"context"
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

// stuckRaft is a Raft whose Process blocks until its context is cancelled.
type stuckRaft struct {
	*recorder
	entered chan struct{} // receives once per Process call
}

func (s stuckRaft) Process(ctx context.Context, _ raftpb.Message) error {
	s.entered <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

// TestCloseLeavesNoGoroutines closes Transports with goroutines in every
// state they can block in, and checks that all of them are gone.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()

	faults := NewLinkFaults(1)
	stuck := stuckRaft{recorder: newRecorder(), entered: make(chan struct{}, 1)}
	m1 := startMember(t, 1, func(c *Config) { c.Faults = faults })
	m2 := startMember(t, 2, nil)
	m3 := startMember(t, 3, func(c *Config) { c.Raft = stuck })
	connectAll(m1, m2, m3)
	m1.tr.AddPeer(9, freeAddr(t)) // a writer retrying a down peer

	faults.SetDelay(1, 2, time.Hour) // a writer waiting out a delay
	m1.tr.Send([]raftpb.Message{app(1, 2, 1), app(1, 3, 1), app(1, 9, 1)})
	select { // a reader blocked in Process
	case <-stuck.entered:
	case <-time.After(waitFor):
		t.Fatal("Process was not called")
	}
	checkFor(t, "the down peer to be reported", func() bool { return m1.rec.unreachableReports(9) > 0 })
	silent, err := net.Dial("tcp", m2.addr) // a reader waiting for a hello
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer silent.Close()

	for _, m := range []*member{m1, m2, m3} {
		m.stop(t)
	}
	deadline := time.Now().Add(waitFor)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			stacks := make([]byte, 1<<20)
			stacks = stacks[:runtime.Stack(stacks, true)]
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, stacks)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	tr := New(Config{ID: 1, Raft: newRecorder()})
	for i := range 2 {
		if err := tr.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	tr.AddPeer(2, "127.0.0.1:1")
	tr.Send([]raftpb.Message{app(1, 2, 1)})
	tr.RemovePeer(2)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Serve(ln); err != nil {
		t.Errorf("Serve after Close = %v, want nil", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Serve after Close left its listener open: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{ID: 1, Raft: newRecorder()}
	tests := []struct {
		name  string
		tweak func(c *Config)
		valid bool
	}{
		{"defaults", func(*Config) {}, true},
		{"no ID", func(c *Config) { c.ID = 0 }, false},
		{"no Raft", func(c *Config) { c.Raft = nil }, false},
		{"negative queue", func(c *Config) { c.QueueLen = -1 }, false},
		{"frame over 4 GiB", func(c *Config) { c.MaxFrameSize = 1 << 32 }, false},
		{"negative dial timeout", func(c *Config) { c.DialTimeout = -time.Second }, false},
		{"negative write timeout", func(c *Config) { c.WriteTimeout = -time.Second }, false},
	}
	for _, tt := range tests {
		c := ok
		tt.tweak(&c)
		if err := c.Validate(); (err == nil) != tt.valid {
			t.Errorf("%s: Validate() = %v, want valid=%v", tt.name, err, tt.valid)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("New accepted a Config without Raft")
		}
	}()
	New(Config{ID: 1})
}
