package lease

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// randomTable builds a table from a seeded random history of grants,
// checkpoints, attaching writes and revokes.
func randomTable(t testing.TB, seed uint64) *Table {
	rng := rand.New(rand.NewPCG(seed, 1))
	tb := NewTable()
	var ids []int64
	for range 500 {
		switch n := rng.IntN(10); {
		case n < 3 || len(ids) == 0:
			id := rng.Int64N(1<<40) - 1<<39
			if id != 0 && tb.Grant(id, 1+rng.Int64N(MaxTTL)) == nil {
				ids = append(ids, id)
			}
		case n < 4:
			tb.Checkpoint([]Checkpoint{{ID: ids[rng.IntN(len(ids))], Remaining: rng.Int64N(1 << 30)}})
		case n < 5:
			i := rng.IntN(len(ids))
			if _, err := tb.Revoke(ids[i]); err != nil {
				t.Fatal(err)
			}
			ids = append(ids[:i], ids[i+1:]...)
		case n < 9:
			tb.ApplyEvents([]mvccpb.Event{put(fmt.Sprintf("k%03d", rng.IntN(300)), ids[rng.IntN(len(ids))])})
		default:
			tb.ApplyEvents([]mvccpb.Event{del(fmt.Sprintf("k%03d", rng.IntN(300)))})
		}
	}
	return tb
}

// sameTable compares everything a table exposes.
func sameTable(t *testing.T, a, b *Table) {
	t.Helper()
	la, lb := a.List(), b.List()
	if fmt.Sprint(la) != fmt.Sprint(lb) {
		t.Fatalf("leases differ:\n%v\n%v", la, lb)
	}
	for _, l := range la {
		if ka, kb := keyStrings(a.Keys(l.ID)), keyStrings(b.Keys(l.ID)); fmt.Sprint(ka) != fmt.Sprint(kb) {
			t.Fatalf("keys of %x differ: %q vs %q", l.ID, ka, kb)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	for seed := range uint64(20) {
		src := randomTable(t, seed)
		data := src.Snapshot()
		dst := NewTable()
		dst.Grant(12345, 1000) // replaced by the restore
		if err := dst.Restore(data); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		sameTable(t, src, dst)
		if !bytes.Equal(dst.Snapshot(), data) {
			t.Fatalf("seed %d: restored table encodes differently", seed)
		}
		// the restored key index works: writes move keys as in the source
		for _, tb := range []*Table{src, dst} {
			if ls := tb.List(); len(ls) > 0 {
				tb.ApplyEvents([]mvccpb.Event{put("k001", ls[0].ID), del("k002")})
			}
		}
		sameTable(t, src, dst)
	}
}

// TestSnapshotDeterministic builds the same table through histories in
// different orders and checks the bytes are equal.
func TestSnapshotDeterministic(t *testing.T) {
	build := func(order []int) []byte {
		tb := NewTable()
		for _, i := range order {
			id := int64(i + 1)
			tb.Grant(id, int64(1000*(i+1)))
			tb.ApplyEvents([]mvccpb.Event{put(fmt.Sprintf("a%d", i), id), put(fmt.Sprintf("b%d", i), id)})
			tb.Checkpoint([]Checkpoint{{ID: id, Remaining: int64(i)}})
		}
		return tb.Snapshot()
	}
	want := build([]int{0, 1, 2, 3, 4, 5, 6, 7})
	for _, order := range [][]int{{7, 6, 5, 4, 3, 2, 1, 0}, {3, 1, 4, 0, 5, 2, 7, 6}} {
		if got := build(order); !bytes.Equal(got, want) {
			t.Fatalf("order %v encodes differently", order)
		}
	}
	if got := NewTable().Snapshot(); !bytes.Equal(got[:5], []byte("CLSE\x01")) || len(got) != 10 {
		t.Fatalf("empty snapshot = %x", got)
	}
}

func TestRestoreRejectsDamage(t *testing.T) {
	data := randomTable(t, 7).Snapshot()
	tb := randomTable(t, 8)
	before := tb.Snapshot()
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x40
		if err := tb.Restore(bad); !errors.Is(err, ErrCorruptSnapshot) {
			t.Fatalf("byte %d flipped: Restore = %v", i, err)
		}
	}
	for _, n := range []int{0, 4, 5, len(data) - 1} {
		if err := tb.Restore(data[:n]); !errors.Is(err, ErrCorruptSnapshot) {
			t.Fatalf("truncated to %d: Restore = %v", n, err)
		}
	}
	if !bytes.Equal(tb.Snapshot(), before) {
		t.Fatal("a failed Restore changed the table")
	}
}

// FuzzRestore: any input is either rejected or restores a table that
// re-encodes to the same bytes.
func FuzzRestore(f *testing.F) {
	f.Add(NewTable().Snapshot())
	f.Add(randomTable(f, 1).Snapshot())
	f.Fuzz(func(t *testing.T, data []byte) {
		tb := NewTable()
		if err := tb.Restore(data); err != nil {
			return
		}
		if got := tb.Snapshot(); !bytes.Equal(got, data) {
			t.Fatalf("accepted %x but re-encodes as %x", data, got)
		}
	})
}
