package wal

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

func TestReleaseTo(t *testing.T) {
	type step struct {
		snapshot uint64 // if non-zero, SaveSnapshot at this index (term 1) first
		release  uint64 // then ReleaseTo this index
	}
	tests := []struct {
		name      string
		steps     []step
		wantFirst uint64 // smallest entry index that must still be on disk
		wantFewer bool   // whether segments must have been deleted
	}{
		{"no marker", []step{{0, 300}}, 1, false},
		{"below every marker", []step{{200, 199}}, 1, false},
		{"at the marker", []step{{200, 200}}, 201, true},
		{"above the marker", []step{{200, 1000}}, 201, true},
		{"older of two markers", []step{{100, 0}, {200, 150}}, 101, true},
		{"newer of two markers", []step{{100, 0}, {200, 250}}, 201, true},
		{"marker at the last index", []step{{300, 300}}, 301, true},
		{"repeated", []step{{100, 100}, {200, 200}, {250, 250}}, 251, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := testOptions(1024)
			m := newModel()
			w := mustOpen(t, dir, opts)
			for lo := uint64(1); lo <= 300; lo += 10 {
				hs := raftpb.HardState{Term: 1, Vote: 3, Commit: lo + 9}
				ents := makeEntries(lo, lo+9, 1)
				mustSave(t, w, hs, ents)
				m.save(hs, ents)
			}
			before := len(segmentFiles(t, dir))
			for _, s := range tt.steps {
				if s.snapshot != 0 {
					meta := raftpb.SnapshotMetadata{Index: s.snapshot, Term: 1,
						ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}
					if err := w.SaveSnapshot(meta); err != nil {
						t.Fatal(err)
					}
					m.snapshot(meta)
				}
				if err := w.ReleaseTo(s.release); err != nil {
					t.Fatal(err)
				}
			}
			after := len(segmentFiles(t, dir))
			if fewer := after < before; fewer != tt.wantFewer {
				t.Fatalf("segments %d -> %d, want fewer: %v", before, after, tt.wantFewer)
			}
			mustClose(t, w)

			w = mustOpen(t, dir, opts)
			defer mustClose(t, w)
			checkRecovered(t, w, m)
			if got := firstIndexOnDisk(t, dir); got > tt.wantFirst && tt.wantFirst <= 300 {
				t.Fatalf("entries from %d on are on disk, want from %d", got, tt.wantFirst)
			}
		})
	}
}

// firstIndexOnDisk returns the smallest entry index recorded in the log's segments.
func firstIndexOnDisk(t *testing.T, dir string) uint64 {
	t.Helper()
	lowest := ^uint64(0)
	for _, path := range segmentFiles(t, dir) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = scanSegment(b, func(off int, rec record) error {
			var e raftpb.Entry
			if rec.typ != typeEntry {
				return nil
			}
			if err := e.Unmarshal(rec.data); err != nil {
				return err
			}
			lowest = min(lowest, e.Index)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return lowest
}

// TestLeaderSnapshot covers a follower that receives a snapshot far ahead of its log: the
// marker is saved first and the entries after it continue from the snapshot.
func TestLeaderSnapshot(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(1024)
	m := newModel()
	w := mustOpen(t, dir, opts)
	ents := makeEntries(1, 30, 1)
	mustSave(t, w, raftpb.HardState{Term: 1, Commit: 20}, ents)
	m.save(raftpb.HardState{Term: 1, Commit: 20}, ents)
	meta := raftpb.SnapshotMetadata{Index: 1000, Term: 5}
	if err := w.SaveSnapshot(meta); err != nil {
		t.Fatal(err)
	}
	m.snapshot(meta)
	for lo := uint64(1001); lo < 1100; lo += 9 {
		hs := raftpb.HardState{Term: 5, Commit: lo}
		ents := makeEntries(lo, lo+8, 5)
		mustSave(t, w, hs, ents)
		m.save(hs, ents)
	}
	if err := w.ReleaseTo(1000); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	w = mustOpen(t, dir, opts)
	defer mustClose(t, w)
	checkRecovered(t, w, m)
	if got := firstIndexOnDisk(t, dir); got <= 30 {
		t.Fatalf("entry %d from before the snapshot was not released", got)
	}
}

// TestRandomHistory drives the WAL with a random history of saves, overwrites, snapshot
// markers, releases and reopens, and checks every reopen against the model.
func TestRandomHistory(t *testing.T) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 42))
		dir := t.TempDir()
		opts := testOptions(int64(256 + rng.IntN(2048)))
		m := newModel()
		w := mustOpen(t, dir, opts)
		term := uint64(1)
		var markers []uint64
		var released, jumped uint64
		for op := range 600 {
			switch r := rng.IntN(100); {
			case r < 65:
				lo := m.last + 1
				if rng.IntN(4) == 0 {
					term++
					lo = max(m.snap.Index+1, m.last-uint64(rng.IntN(6)))
					lo = min(lo, m.last+1)
				}
				var hs raftpb.HardState
				if rng.IntN(3) > 0 {
					hs = raftpb.HardState{Term: term, Vote: uint64(rng.IntN(3)), Commit: lo - 1}
				}
				ents := makeEntries(lo, lo+uint64(rng.IntN(8)), term)
				if rng.IntN(10) == 0 {
					ents = nil
				}
				mustSave(t, w, hs, ents)
				m.save(hs, ents)
			case r < 75 && m.last > m.snap.Index:
				meta := raftpb.SnapshotMetadata{Index: m.snap.Index + 1 + uint64(rng.IntN(int(m.last-m.snap.Index))), Term: term}
				if err := w.SaveSnapshot(meta); err != nil {
					t.Fatal(err)
				}
				m.snapshot(meta)
				markers = append(markers, meta.Index)
			case r < 77:
				meta := raftpb.SnapshotMetadata{Index: m.last + 1 + uint64(rng.IntN(20)), Term: term}
				if err := w.SaveSnapshot(meta); err != nil {
					t.Fatal(err)
				}
				m.snapshot(meta)
				markers = append(markers, meta.Index)
				jumped = meta.Index
			case r < 90:
				index := uint64(rng.IntN(int(m.snap.Index + 5)))
				if err := w.ReleaseTo(index); err != nil {
					t.Fatal(err)
				}
				// Replaying from the newest marker at or below the highest index released
				// to so far must stay possible: every entry after it that exists (none
				// exist between a snapshot from the leader and the log before it) must
				// still be on disk.
				released = max(released, index)
				i, _ := slices.BinarySearch(markers, released+1)
				if i == 0 {
					break
				}
				if need := max(markers[i-1], jumped) + 1; need <= m.last {
					if got := firstIndexOnDisk(t, dir); got > need {
						t.Fatalf("seed %d, op %d: released to %d (marker %d) but entries start at %d, want %d",
							seed, op, released, markers[i-1], got, need)
					}
				}
			default:
				mustClose(t, w)
				w = mustOpen(t, dir, opts)
				checkRecoveredAt(t, w, m, seed, op)
			}
		}
		mustClose(t, w)
		w = mustOpen(t, dir, opts)
		checkRecoveredAt(t, w, m, seed, -1)
		mustClose(t, w)
	}
}

// checkRecoveredAt is checkRecovered at a point of a random history, which it names.
func checkRecoveredAt(t *testing.T, w *WAL, m *model, seed uint64, op int) {
	t.Helper()
	if !recovered(w, m) {
		t.Logf("seed %d, op %d, %d segments", seed, op, len(w.segs))
		checkRecovered(t, w, m)
	}
}

// TestCrashAfterSaveSnapshot covers a crash between SaveSnapshot and the Save of the same
// Ready's hard state: the recovered commit index is raised to the snapshot's index.
func TestCrashAfterSaveSnapshot(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(0)
	w := mustOpen(t, dir, opts)
	mustSave(t, w, raftpb.HardState{Term: 2, Vote: 1, Commit: 20}, makeEntries(1, 30, 2))
	if err := w.SaveSnapshot(raftpb.SnapshotMetadata{Index: 1000, Term: 3}); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	w = mustOpen(t, dir, opts)
	defer mustClose(t, w)
	if got, want := w.HardState(), (raftpb.HardState{Term: 2, Vote: 1, Commit: 1000}); got != want {
		t.Fatalf("HardState() = %+v, want %+v", got, want)
	}
	if len(w.Entries()) != 0 {
		t.Fatalf("Entries() = %s, want none", span(w.Entries()))
	}
}
