package wal

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// testOptions returns options for fast tests: small segments, no logging and no real syncs.
func testOptions(segmentBytes int64) Options {
	return Options{
		SegmentBytes: segmentBytes,
		Logger:       slog.New(slog.DiscardHandler),
		Sync:         func(*os.File) error { return nil },
	}
}

func mustOpen(t testing.TB, dir string, opts Options) *WAL {
	t.Helper()
	w, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustClose(t testing.TB, w *WAL) {
	t.Helper()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustSave(t testing.TB, w *WAL, hs raftpb.HardState, ents []raftpb.Entry) {
	t.Helper()
	if err := w.Save(hs, ents); err != nil {
		t.Fatal(err)
	}
}

// makeEntries returns entries lo..hi of term, with data naming both.
func makeEntries(lo, hi, term uint64) []raftpb.Entry {
	var ents []raftpb.Entry
	for i := lo; i <= hi; i++ {
		ents = append(ents, raftpb.Entry{Term: term, Index: i, Data: []byte(fmt.Sprintf("entry %d of term %d", i, term))})
	}
	return ents
}

// model is what a log should replay to: the reference the tests compare Open against.
type model struct {
	snap raftpb.SnapshotMetadata
	hs   raftpb.HardState
	log  map[uint64]raftpb.Entry
	last uint64
}

func newModel() *model { return &model{log: map[uint64]raftpb.Entry{}} }

func (m *model) save(hs raftpb.HardState, ents []raftpb.Entry) {
	if !raft.IsEmptyHardState(hs) {
		m.hs = hs
	}
	for _, e := range ents {
		m.log[e.Index] = e
	}
	if n := len(ents); n > 0 {
		m.last = ents[n-1].Index
	}
}

func (m *model) snapshot(meta raftpb.SnapshotMetadata) {
	m.snap = meta
	m.last = max(m.last, meta.Index)
}

// hardState is the hard state Open reports: commit is raised to the snapshot's index.
func (m *model) hardState() raftpb.HardState {
	hs := m.hs
	if !raft.IsEmptyHardState(hs) {
		hs.Commit = max(hs.Commit, m.snap.Index)
	}
	return hs
}

func (m *model) entries() []raftpb.Entry {
	var ents []raftpb.Entry
	for i := m.snap.Index + 1; i <= m.last; i++ {
		ents = append(ents, m.log[i])
	}
	return ents
}

// checkRecovered fails t unless w recovered exactly the state of m.
func checkRecovered(t testing.TB, w *WAL, m *model) {
	t.Helper()
	if got := w.Snapshot(); !reflect.DeepEqual(got, m.snap) {
		t.Errorf("Snapshot() = %+v, want %+v", got, m.snap)
	}
	if got := w.HardState(); got != m.hardState() {
		t.Errorf("HardState() = %+v, want %+v", got, m.hardState())
	}
	got, want := w.Entries(), m.entries()
	if len(got) != len(want) {
		t.Fatalf("Entries() has %d entries %s, want %d %s", len(got), span(got), len(want), span(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("Entries()[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// recovered reports whether w recovered exactly the state of m.
func recovered(w *WAL, m *model) bool {
	want := m.entries()
	return reflect.DeepEqual(w.Snapshot(), m.snap) && w.HardState() == m.hardState() &&
		len(w.Entries()) == len(want) && (len(want) == 0 || reflect.DeepEqual(w.Entries(), want))
}

func span(ents []raftpb.Entry) string {
	if len(ents) == 0 {
		return "[]"
	}
	return fmt.Sprintf("[%d..%d]", ents[0].Index, ents[len(ents)-1].Index)
}

// segmentFiles returns the segment paths in dir, oldest first.
func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name         string
		segmentBytes int64
		batches      int
		batchSize    uint64
		realSync     bool
	}{
		{"one segment", 1 << 20, 20, 3, true},
		{"many segments", 2048, 200, 4, false},
		{"segment per save", 1, 30, 2, false},
		{"big batches", 8192, 10, 64, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "wal")
			opts := testOptions(tt.segmentBytes)
			if tt.realSync {
				opts.Sync = nil
			}
			m := newModel()
			w := mustOpen(t, dir, opts)
			checkRecovered(t, w, m)
			next := uint64(1)
			for b := range tt.batches {
				hs := raftpb.HardState{Term: 1 + uint64(b)/10, Vote: 1, Commit: next - 1}
				ents := makeEntries(next, next+tt.batchSize-1, hs.Term)
				mustSave(t, w, hs, ents)
				m.save(hs, ents)
				next += tt.batchSize
			}
			mustClose(t, w)

			w = mustOpen(t, dir, opts)
			checkRecovered(t, w, m)
			// Appends after reopening land after the recovered records.
			ents := makeEntries(next, next+2, 99)
			mustSave(t, w, raftpb.HardState{}, ents)
			m.save(raftpb.HardState{}, ents)
			mustClose(t, w)

			w = mustOpen(t, dir, opts)
			defer mustClose(t, w)
			checkRecovered(t, w, m)
			t.Logf("%d segments", len(segmentFiles(t, dir)))
		})
	}
}

func TestOverwrite(t *testing.T) {
	type save struct {
		lo, hi, term uint64
		reopen       bool // close and reopen after this save
	}
	tests := []struct {
		name  string
		saves []save
	}{
		{"suffix of the last batch", []save{{1, 10, 1, false}, {8, 9, 2, false}}},
		{"whole last batch", []save{{1, 5, 1, false}, {6, 10, 1, false}, {6, 7, 2, false}}},
		{"longer than before", []save{{1, 10, 1, false}, {5, 20, 2, false}}},
		{"across segments", []save{{1, 100, 1, false}, {30, 35, 2, false}, {36, 40, 2, false}}},
		{"after reopen", []save{{1, 50, 1, true}, {20, 25, 2, true}, {26, 30, 3, false}}},
		{"twice at one index", []save{{1, 10, 1, false}, {4, 6, 2, false}, {4, 4, 3, false}}},
		{"from index 1", []save{{1, 10, 1, false}, {1, 2, 2, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := testOptions(1024)
			m := newModel()
			w := mustOpen(t, dir, opts)
			for i, s := range tt.saves {
				hs := raftpb.HardState{Term: s.term, Commit: s.lo - 1}
				ents := makeEntries(s.lo, s.hi, s.term)
				mustSave(t, w, hs, ents)
				m.save(hs, ents)
				if s.reopen || i == len(tt.saves)-1 {
					mustClose(t, w)
					w = mustOpen(t, dir, opts)
					checkRecovered(t, w, m)
				}
			}
			mustClose(t, w)
		})
	}
}

func TestSaveNoop(t *testing.T) {
	dir := t.TempDir()
	var syncs int
	opts := testOptions(0)
	opts.Sync = func(*os.File) error { syncs++; return nil }
	w := mustOpen(t, dir, opts)
	defer mustClose(t, w)
	mustSave(t, w, raftpb.HardState{}, nil)
	mustSave(t, w, raftpb.HardState{}, []raftpb.Entry{})
	if err := w.SaveSnapshot(raftpb.SnapshotMetadata{}); err != nil {
		t.Fatal(err)
	}
	if syncs != 0 {
		t.Fatalf("empty saves synced %d times", syncs)
	}
}

// TestOneSyncPerSave checks group commit: every Save, including those that start a new
// segment, calls Options.Sync exactly once.
func TestOneSyncPerSave(t *testing.T) {
	dir := t.TempDir()
	var syncs int
	opts := testOptions(512)
	opts.Sync = func(*os.File) error { syncs++; return nil }
	w := mustOpen(t, dir, opts)
	defer mustClose(t, w)
	for i := uint64(1); i <= 100; i++ {
		mustSave(t, w, raftpb.HardState{Term: 1, Commit: i - 1}, makeEntries(i, i, 1))
		if syncs != int(i) {
			t.Fatalf("after %d saves, %d syncs", i, syncs)
		}
	}
	if n := len(segmentFiles(t, dir)); n < 10 {
		t.Fatalf("only %d segments: no rolls were exercised", n)
	}
}
