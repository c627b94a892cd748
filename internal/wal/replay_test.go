package wal

import (
	"reflect"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

// applyMarshaled encodes m and applies it to rp as a record of type typ.
func applyMarshaled(t *testing.T, rp *replay, typ recordType, m marshaler) {
	t.Helper()
	b, err := appendRecord(nil, typ, m)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := decodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := rp.apply(rec); err != nil {
		t.Fatal(err)
	}
}

func TestReplayExample(t *testing.T) {
	// The example in the replay type's comment.
	var rp replay
	e := func(i, term uint64) *raftpb.Entry { return &raftpb.Entry{Index: i, Term: term} }
	applyMarshaled(t, &rp, typeEntry, e(1, 1))
	applyMarshaled(t, &rp, typeEntry, e(2, 1))
	applyMarshaled(t, &rp, typeEntry, e(3, 1))
	applyMarshaled(t, &rp, typeHardState, &raftpb.HardState{Term: 1, Commit: 1})
	applyMarshaled(t, &rp, typeEntry, e(2, 2))
	applyMarshaled(t, &rp, typeEntry, e(3, 2))
	applyMarshaled(t, &rp, typeSnapshot, &raftpb.SnapshotMetadata{Index: 1, Term: 1})
	applyMarshaled(t, &rp, typeEntry, e(4, 2))
	if err := rp.finish(); err != nil {
		t.Fatal(err)
	}
	want := []raftpb.Entry{{Index: 2, Term: 2}, {Index: 3, Term: 2}, {Index: 4, Term: 2}}
	if !reflect.DeepEqual(rp.ents, want) || rp.hs.Commit != 1 || rp.snap.Index != 1 {
		t.Fatalf("replayed %+v, %+v, %+v", rp.ents, rp.hs, rp.snap)
	}
}

// FuzzReplay applies any sequence of records that Save and SaveSnapshot accept and compares
// the result with the model.
func FuzzReplay(f *testing.F) {
	f.Add([]byte{0, 5, 1, 3, 2, 2, 0, 1, 3, 0})
	f.Add([]byte{4, 9, 0, 1, 6, 7, 2, 200, 1, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var rp replay
		m := newModel()
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i], uint64(ops[i+1])
			next := max(m.last, m.snap.Index) + 1
			switch op % 4 {
			case 0, 1:
				lo := min(max(arg, 1), next)
				ents := makeEntries(lo, lo+uint64(op>>2)%4, uint64(i))
				for j := range ents {
					applyMarshaled(t, &rp, typeEntry, &ents[j])
				}
				m.save(raftpb.HardState{}, ents)
			case 2:
				meta := raftpb.SnapshotMetadata{Index: m.snap.Index + arg%16, Term: uint64(i)}
				if meta.Index == 0 {
					continue
				}
				applyMarshaled(t, &rp, typeSnapshot, &meta)
				m.snapshot(meta)
			case 3:
				hs := raftpb.HardState{Term: uint64(i), Commit: arg}
				applyMarshaled(t, &rp, typeHardState, &hs)
				m.save(hs, nil)
			}
		}
		if err := rp.finish(); err != nil {
			t.Fatal(err)
		}
		want := m.entries()
		if len(rp.ents) != len(want) || (len(want) > 0 && !reflect.DeepEqual(rp.ents, want)) {
			t.Fatalf("replayed %s, want %s", span(rp.ents), span(want))
		}
		if rp.hs != m.hardState() || !reflect.DeepEqual(rp.snap, m.snap) {
			t.Fatalf("replayed %+v %+v, want %+v %+v", rp.hs, rp.snap, m.hardState(), m.snap)
		}
	})
}
