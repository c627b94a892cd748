package wal

import (
	"errors"
	"os"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

var errInjected = errors.New("injected I/O error")

// checkFailed fails t unless err reports the sticky failure caused by errInjected.
func checkFailed(t *testing.T, what string, err error, cause error) {
	t.Helper()
	if !errors.Is(err, ErrFailed) || !errors.Is(err, cause) {
		t.Fatalf("%s = %v, want ErrFailed wrapping %v", what, err, cause)
	}
}

func TestSyncFailure(t *testing.T) {
	tests := []struct {
		name         string
		segmentBytes int64
		hs           raftpb.HardState // the call that meets the failing sync: Save(hs, ents),
		ents         []raftpb.Entry   // or SaveSnapshot(snap) if snap.Index is not zero
		snap         raftpb.SnapshotMetadata
		saves        uint64 // successful saves before it
	}{
		{"save", 1 << 20, raftpb.HardState{Term: 2, Commit: 3}, makeEntries(6, 7, 2), raftpb.SnapshotMetadata{}, 5},
		{"save hard state only", 1 << 20, raftpb.HardState{Term: 2, Commit: 5}, nil, raftpb.SnapshotMetadata{}, 5},
		{"save snapshot", 1 << 20, raftpb.HardState{}, nil, raftpb.SnapshotMetadata{Index: 3, Term: 1}, 5},
		{"first save", 1 << 20, raftpb.HardState{Term: 1}, makeEntries(1, 1, 1), raftpb.SnapshotMetadata{}, 0},
		{"save that starts a segment", 1, raftpb.HardState{}, makeEntries(6, 6, 1), raftpb.SnapshotMetadata{}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			failing := false
			opts := testOptions(tt.segmentBytes)
			opts.Sync = func(*os.File) error {
				if failing {
					return errInjected
				}
				return nil
			}
			acked, unacked := newModel(), newModel()
			w := mustOpen(t, dir, opts)
			for i := uint64(1); i <= tt.saves; i++ {
				hs := raftpb.HardState{Term: 1, Commit: i - 1}
				mustSave(t, w, hs, makeEntries(i, i, 1))
				acked.save(hs, makeEntries(i, i, 1))
				unacked.save(hs, makeEntries(i, i, 1))
			}
			failing = true
			var err error
			if tt.snap.Index != 0 {
				err = w.SaveSnapshot(tt.snap)
				unacked.snapshot(tt.snap)
			} else {
				err = w.Save(tt.hs, tt.ents)
				unacked.save(tt.hs, tt.ents)
			}
			checkFailed(t, "failing call", err, errInjected)

			// The failure is sticky even though syncs work again.
			failing = false
			checkFailed(t, "later Save", w.Save(raftpb.HardState{Term: 9}, nil), errInjected)
			checkFailed(t, "later SaveSnapshot", w.SaveSnapshot(raftpb.SnapshotMetadata{Index: 9, Term: 1}), errInjected)
			checkFailed(t, "later ReleaseTo", w.ReleaseTo(1), errInjected)
			mustClose(t, w)

			// Everything acknowledged is still there. The failed write reached the page
			// cache, so it may be there too: a test cannot tell, and neither may the caller.
			w = mustOpen(t, dir, opts)
			defer mustClose(t, w)
			if !recovered(w, acked) && !recovered(w, unacked) {
				checkRecovered(t, w, acked)
			}
		})
	}
}

func TestWriteFailure(t *testing.T) {
	w := mustOpen(t, t.TempDir(), testOptions(0))
	mustSave(t, w, raftpb.HardState{Term: 1}, makeEntries(1, 3, 1))
	w.tail.Close() // the next write fails
	checkFailed(t, "Save", w.Save(raftpb.HardState{}, makeEntries(4, 4, 1)), os.ErrClosed)
	checkFailed(t, "later Save", w.Save(raftpb.HardState{}, makeEntries(4, 4, 1)), os.ErrClosed)
	w.Close()
}

func TestInvalidCallsFail(t *testing.T) {
	tests := []struct {
		name string
		call func(w *WAL) error
	}{
		{"gap after the last entry", func(w *WAL) error { return w.Save(raftpb.HardState{}, makeEntries(12, 12, 1)) }},
		{"index zero", func(w *WAL) error { return w.Save(raftpb.HardState{}, makeEntries(0, 1, 1)) }},
		{"batch with a hole", func(w *WAL) error {
			return w.Save(raftpb.HardState{}, append(makeEntries(11, 12, 1), makeEntries(14, 14, 1)...))
		}},
		{"marker going backwards", func(w *WAL) error { return w.SaveSnapshot(raftpb.SnapshotMetadata{Index: 4, Term: 1}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := mustOpen(t, t.TempDir(), testOptions(0))
			defer mustClose(t, w)
			mustSave(t, w, raftpb.HardState{Term: 1}, makeEntries(1, 10, 1))
			if err := w.SaveSnapshot(raftpb.SnapshotMetadata{Index: 5, Term: 1}); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(w); !errors.Is(err, ErrFailed) {
				t.Fatalf("got %v, want ErrFailed", err)
			}
			if err := w.Save(raftpb.HardState{}, makeEntries(11, 11, 1)); !errors.Is(err, ErrFailed) {
				t.Fatalf("later Save = %v, want ErrFailed", err)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	w := mustOpen(t, t.TempDir(), testOptions(0))
	mustClose(t, w)
	for name, err := range map[string]error{
		"Save":         w.Save(raftpb.HardState{Term: 1}, nil),
		"SaveSnapshot": w.SaveSnapshot(raftpb.SnapshotMetadata{Index: 1}),
		"ReleaseTo":    w.ReleaseTo(1),
		"Close":        w.Close(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	w := mustOpen(t, dir, testOptions(0))
	if w2, err := Open(dir, testOptions(0)); err == nil {
		w2.Close()
		t.Fatal("second Open of an open log succeeded")
	}
	mustClose(t, w)
	mustClose(t, mustOpen(t, dir, testOptions(0)))
}

func TestOpenRejectsOptions(t *testing.T) {
	if _, err := Open(t.TempDir(), Options{SegmentBytes: -1}); err == nil {
		t.Fatal("negative SegmentBytes accepted")
	}
}
