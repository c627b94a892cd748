package transport

import (
	"context"
	"net"
	"slices"
	"sync/atomic"
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

func TestExchangeBothWaysKeepsOrder(t *testing.T) {
	const rounds = 200
	ms := []*member{startMember(t, 1, nil), startMember(t, 2, nil), startMember(t, 3, nil)}
	connectAll(ms...)
	for round := range uint64(rounds) {
		for _, from := range ms {
			var out []raftpb.Message
			for _, to := range ms {
				if to != from {
					out = append(out, app(from.id, to.id, round+1))
				}
			}
			from.tr.Send(out)
		}
	}
	for _, to := range ms {
		for _, from := range ms {
			if from == to {
				continue
			}
			checkFor(t, "all messages on the link", func() bool { return to.rec.count(from.id) >= rounds })
			if got := to.rec.indexes(from.id); !slices.Equal(got, seq(rounds)) {
				t.Errorf("link %d->%d delivered indexes %v, want 1..%d in order", from.id, to.id, got, rounds)
			}
		}
	}
}

// countingConn counts Write calls on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func TestBurstIsBatched(t *testing.T) {
	const burst = 10000
	m1 := startMember(t, 1, func(c *Config) { c.QueueLen = burst })
	m2 := startMember(t, 2, nil)
	var writes atomic.Int64
	m1.tr.dial = func(ctx context.Context, addr string) (net.Conn, error) {
		conn, err := dialTCP(ctx, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: conn, writes: &writes}, nil
	}
	connectAll(m1, m2)

	msgs := make([]raftpb.Message, burst)
	for i := range msgs {
		msgs[i] = appWithEntry(1, 2, uint64(i+1), 256)
	}
	m1.tr.Send(msgs)

	checkFor(t, "the whole burst", func() bool { return m2.rec.count(1) >= burst })
	if got := m2.rec.indexes(1); !slices.Equal(got, seq(burst)) {
		t.Fatalf("burst arrived out of order or incomplete (%d messages)", len(got))
	}
	if n := m1.rec.unreachableReports(2); n != 0 {
		t.Errorf("%d ReportUnreachable calls during a burst that fits the queue", n)
	}
	// One write is the handshake; ~2.9 MB of frames need only a few more.
	if n := writes.Load(); n > burst/100 {
		t.Errorf("%d writes for %d messages; want batching to need far fewer", n, burst)
	}
	t.Logf("%d messages in %d writes", burst, writes.Load())
}

func TestUnknownPeerIsDropped(t *testing.T) {
	m1 := startMember(t, 1, nil)
	m1.tr.Send([]raftpb.Message{
		app(1, 9, 1),
		{Type: raftpb.MsgSnap, From: 1, To: 9, Snapshot: &raftpb.Snapshot{}},
		app(1, 1, 1), // this member is not its own peer
	})
	checkFor(t, "snapshot failure for the unknown peer", func() bool { return len(m1.rec.snapshotReports(9)) == 1 })
	if got := m1.rec.snapshotReports(9); got[0] != raft.SnapshotFailure {
		t.Errorf("snapshot report %v, want SnapshotFailure", got)
	}
	if n := m1.rec.count(1); n != 0 {
		t.Errorf("member received %d messages addressed to itself", n)
	}
}

func TestRemovePeerStopsSending(t *testing.T) {
	m1, m2 := startMember(t, 1, nil), startMember(t, 2, nil)
	connectAll(m1, m2)
	m1.tr.Send([]raftpb.Message{app(1, 2, 1)})
	checkFor(t, "first message", func() bool { return m2.rec.count(1) == 1 })

	m1.tr.RemovePeer(2)
	m1.tr.Send([]raftpb.Message{app(1, 2, 2), {Type: raftpb.MsgSnap, From: 1, To: 2, Snapshot: &raftpb.Snapshot{}}})
	checkFor(t, "snapshot failure for the removed peer", func() bool { return len(m1.rec.snapshotReports(2)) == 1 })

	m1.tr.AddPeer(2, m2.addr)
	m1.tr.Send([]raftpb.Message{app(1, 2, 3)})
	checkFor(t, "message after re-adding the peer", func() bool { return m2.rec.count(1) == 2 })
	if got := m2.rec.indexes(1); !slices.Equal(got, []uint64{1, 3}) {
		t.Errorf("received indexes %v, want [1 3]", got)
	}
}
