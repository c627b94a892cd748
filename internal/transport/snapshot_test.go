package transport

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

func snapshotMsg(from, to uint64, size int) raftpb.Message {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	return raftpb.Message{
		Type: raftpb.MsgSnap, From: from, To: to, Term: 2,
		Snapshot: &raftpb.Snapshot{Data: data, Metadata: raftpb.SnapshotMetadata{Index: 10, Term: 2}},
	}
}

func TestLargeSnapshotArrivesIntact(t *testing.T) {
	m1, m2 := startMember(t, 1, nil), startMember(t, 2, nil)
	connectAll(m1, m2)
	snap := snapshotMsg(1, 2, 8<<20)
	m1.tr.Send([]raftpb.Message{snap, app(1, 2, 11)})

	checkFor(t, "the snapshot and the message behind it", func() bool { return m2.rec.count(1) == 2 })
	got := m2.rec.received(1)
	if got[0].Type != raftpb.MsgSnap || got[0].Snapshot == nil {
		t.Fatalf("first message is %v, want MsgSnap", got[0].Type)
	}
	if !bytes.Equal(got[0].Snapshot.Data, snap.Snapshot.Data) || got[0].Snapshot.Metadata.Index != 10 {
		t.Errorf("snapshot arrived altered: %d bytes, metadata %+v", len(got[0].Snapshot.Data), got[0].Snapshot.Metadata)
	}
	if got[1].Index != 11 {
		t.Errorf("message after the snapshot has index %d, want 11", got[1].Index)
	}
	checkFor(t, "SnapshotFinish", func() bool {
		return slices.Equal(m1.rec.snapshotReports(2), []raft.SnapshotStatus{raft.SnapshotFinish})
	})
}

func TestOversizeMessageIsNotSent(t *testing.T) {
	m1 := startMember(t, 1, func(c *Config) { c.MaxFrameSize = 1 << 20 })
	m2 := startMember(t, 2, nil)
	connectAll(m1, m2)
	m1.tr.Send([]raftpb.Message{app(1, 2, 1), snapshotMsg(1, 2, 2<<20), app(1, 2, 2)})

	checkFor(t, "SnapshotFailure for the oversize snapshot", func() bool {
		return slices.Equal(m1.rec.snapshotReports(2), []raft.SnapshotStatus{raft.SnapshotFailure})
	})
	checkFor(t, "the messages around it", func() bool { return m2.rec.count(1) == 2 })
	if got := m2.rec.indexes(1); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("delivered %v, want [1 2] without the snapshot", got)
	}
}
