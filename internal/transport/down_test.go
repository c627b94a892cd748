package transport

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// freeAddr returns a 127.0.0.1 address on which nothing listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return addr
}

func TestPeerDownThenUp(t *testing.T) {
	m1 := startMember(t, 1, nil)
	addr := freeAddr(t)
	m1.tr.AddPeer(2, addr)

	start := time.Now()
	for i := range 10000 {
		m1.tr.Send([]raftpb.Message{app(1, 2, uint64(i+1))})
	}
	m1.tr.Send([]raftpb.Message{{Type: raftpb.MsgSnap, From: 1, To: 2, Snapshot: &raftpb.Snapshot{}}})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("10001 Sends to a down peer took %v", d)
	}
	checkFor(t, "ReportUnreachable for the down peer", func() bool { return m1.rec.unreachableReports(2) > 0 })
	checkFor(t, "SnapshotFailure for the down peer", func() bool {
		return slices.Equal(m1.rec.snapshotReports(2), []raft.SnapshotStatus{raft.SnapshotFailure})
	})

	var ln net.Listener
	checkFor(t, "listening again on "+addr, func() bool {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err == nil
	})
	m2 := serveMember(t, 2, ln, nil)
	m2.tr.AddPeer(1, m1.addr)
	checkFor(t, "messages to flow to the restarted peer", func() bool {
		m1.tr.Send([]raftpb.Message{app(1, 2, 1)})
		return m2.rec.count(1) > 0
	})
	m2.tr.Send([]raftpb.Message{app(2, 1, 1)})
	checkFor(t, "messages from the restarted peer", func() bool { return m1.rec.count(2) == 1 })
}

func TestQueueOverflowDropsAndReports(t *testing.T) {
	m1 := startMember(t, 1, func(c *Config) {
		c.QueueLen = 4
		c.DialTimeout = waitFor
	})
	m2 := startMember(t, 2, nil)
	release := make(chan struct{})
	m1.tr.dial = func(ctx context.Context, addr string) (net.Conn, error) {
		select {
		case <-release:
			return dialTCP(ctx, addr)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	connectAll(m1, m2)

	var msgs []raftpb.Message
	for i := range uint64(10) {
		msgs = append(msgs, app(1, 2, i+1))
	}
	msgs = append(msgs, raftpb.Message{Type: raftpb.MsgSnap, From: 1, To: 2, Snapshot: &raftpb.Snapshot{}})
	m1.tr.Send(msgs)
	checkFor(t, "ReportUnreachable for the overflow", func() bool { return m1.rec.unreachableReports(2) > 0 })
	checkFor(t, "SnapshotFailure for the overflowed MsgSnap", func() bool {
		return slices.Equal(m1.rec.snapshotReports(2), []raft.SnapshotStatus{raft.SnapshotFailure})
	})

	close(release)
	// The writer holds at most one message besides the queue's four.
	checkFor(t, "the queued messages", func() bool { return m2.rec.count(1) >= 4 })
	m1.tr.Send([]raftpb.Message{app(1, 2, 100)})
	checkFor(t, "a message after the overflow", func() bool { return slices.Contains(m2.rec.indexes(1), 100) })
	got := m2.rec.indexes(1)
	if want := append(seq(len(got)-1), 100); !slices.Equal(got, want) || len(got) > 6 {
		t.Errorf("delivered %v, want a prefix of 1..5 then 100", got)
	}
}
