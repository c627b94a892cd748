package mvcc

import (
	"errors"
	"reflect"
	"testing"
)

func TestCompact(t *testing.T) {
	s := scripted(t)
	all := func(rev int64) RangeResult {
		t.Helper()
		res, err := s.Range([]byte("\x00"), []byte("\x00"), RangeOptions{Rev: rev})
		if err != nil {
			t.Fatalf("range at %d: %v", rev, err)
		}
		return res
	}
	before := map[int64]RangeResult{}
	for rev := int64(6); rev <= 10; rev++ {
		before[rev] = all(rev)
	}
	if err := s.Compact(6); err != nil {
		t.Fatal(err)
	}
	if s.CompactRev() != 6 || s.Rev() != 10 {
		t.Fatalf("compact rev %d, rev %d", s.CompactRev(), s.Rev())
	}
	for rev := int64(1); rev < 6; rev++ {
		if _, err := s.Range([]byte("a"), nil, RangeOptions{Rev: rev}); !errors.Is(err, ErrCompacted) {
			t.Errorf("range at %d: err = %v, want ErrCompacted", rev, err)
		}
	}
	for rev := int64(6); rev <= 10; rev++ {
		if got := all(rev); !reflect.DeepEqual(got, before[rev]) {
			t.Errorf("range at %d changed:\n got %+v\nwant %+v", rev, got, before[rev])
		}
	}
	// a kept its version from 5 (still visible at 6); b's tombstone at 6
	// and everything before it are gone.
	histories := map[string][]int64{}
	s.tree.Ascend(func(it keyItem) bool {
		for _, r := range it.recs {
			histories[string(it.key)] = append(histories[string(it.key)], r.mod)
		}
		return true
	})
	want := map[string][]int64{"a": {5, 10}, "b": {7}, "c": {4}, "e": {8}, "foo": {8}, "foo/bar": {9}}
	if !reflect.DeepEqual(histories, want) {
		t.Errorf("histories after compact = %v, want %v", histories, want)
	}

	if _, err := s.DeleteRange([]byte("c"), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(11); err != nil {
		t.Fatal(err)
	}
	if s.tree.Has(keyItem{key: []byte("c")}) {
		t.Error("c is still in the tree after compacting its tombstone")
	}
}

func TestCompactErrors(t *testing.T) {
	s := scripted(t)
	if err := s.Compact(11); !errors.Is(err, ErrFutureRev) {
		t.Errorf("compact 11: %v, want ErrFutureRev", err)
	}
	if err := s.Compact(10); err != nil {
		t.Errorf("compact at the current revision: %v", err)
	}
	for _, rev := range []int64{10, 3, 0} {
		if err := s.Compact(rev); !errors.Is(err, ErrCompacted) {
			t.Errorf("compact %d after 10: %v, want ErrCompacted", rev, err)
		}
	}
	if _, err := s.Txn(&TxnRequest{Success: []Op{{Type: OpRange, Key: []byte("a"), Range: RangeOptions{Rev: 9}}}}); !errors.Is(err, ErrCompacted) {
		t.Errorf("txn range at 9: %v, want ErrCompacted", err)
	}
	if _, _, err := s.HashKV(9); !errors.Is(err, ErrCompacted) {
		t.Errorf("hash at 9: %v, want ErrCompacted", err)
	}
}

// Compacting in steps leaves the same state as compacting once.
func TestCompactComposes(t *testing.T) {
	stepped, once := scripted(t), scripted(t)
	for _, rev := range []int64{3, 5, 6, 9} {
		if err := stepped.Compact(rev); err != nil {
			t.Fatal(err)
		}
	}
	if err := once.Compact(9); err != nil {
		t.Fatal(err)
	}
	h1, _, _ := stepped.HashKV(0)
	h2, _, _ := once.HashKV(0)
	if h1 != h2 {
		t.Errorf("stepped compaction hash %08x != single compaction hash %08x", h1, h2)
	}
}
