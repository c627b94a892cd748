package wal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

// recordOffsets returns the offset of every record in the unbroken run at the start of the
// segment file at path, and the offset just past the last.
func recordOffsets(t testing.TB, path string) ([]int, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int
	res, err := scanSegment(b, func(off int, rec record) error {
		offs = append(offs, off)
		return nil
	})
	if err != nil || res.tail != tailClean {
		t.Fatalf("scan %s: tail %d, %v", path, res.tail, err)
	}
	return offs, res.end
}

// buildLog writes entries 1..50 in batches of 5 with hard states, then entry 51 alone, so
// that the log's last record is that entry. It returns the model of the log without entry 51.
func buildLog(t *testing.T, dir string, opts Options) (*model, []raftpb.Entry) {
	t.Helper()
	m := newModel()
	w := mustOpen(t, dir, opts)
	for lo := uint64(1); lo <= 50; lo += 5 {
		hs := raftpb.HardState{Term: 1, Vote: 2, Commit: lo - 1}
		ents := makeEntries(lo, lo+4, 1)
		mustSave(t, w, hs, ents)
		m.save(hs, ents)
	}
	last := makeEntries(51, 51, 1)
	mustSave(t, w, raftpb.HardState{}, last)
	mustClose(t, w)
	return m, last
}

func TestTornTail(t *testing.T) {
	truncate := func(delta int) func(t *testing.T, path string, rec, end int) {
		return func(t *testing.T, path string, rec, end int) {
			at := rec + delta
			if delta < 0 {
				at = end + delta
			}
			if err := os.Truncate(path, int64(at)); err != nil {
				t.Fatal(err)
			}
		}
	}
	rewrite := func(change func(b []byte, rec, end int)) func(t *testing.T, path string, rec, end int) {
		return func(t *testing.T, path string, rec, end int) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			change(b, rec, end)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T, path string, rec, end int)
		logged bool // Open must log a torn-tail repair
	}{
		{"cut after 1 byte", truncate(1), true},
		{"cut inside header", truncate(7), true},
		{"cut after header", truncate(headerSize), true},
		{"cut inside data", truncate(headerSize + 9), true},
		{"cut inside padding", truncate(-1), true},
		{"unwritten data sector", rewrite(func(b []byte, rec, end int) { clear(b[rec+headerSize:]) }), true},
		{"unwritten record", rewrite(func(b []byte, rec, end int) { clear(b[rec:]) }), false},
		{"data damaged", rewrite(func(b []byte, rec, end int) { b[end-8] ^= 0xff }), true},
		{"length damaged", rewrite(func(b []byte, rec, end int) { b[rec+5] = 0x7f }), true},
		{"garbage after it", rewrite(func(b []byte, rec, end int) { b[rec+5] = 0x7f; b[end+40] = 1 }), true},
		{"garbage at the end of the file", rewrite(func(b []byte, rec, end int) { b[rec+5] = 0x7f; b[len(b)-1] = 1 }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := testOptions(2048)
			m, _ := buildLog(t, dir, opts)
			segs := segmentFiles(t, dir)
			path := segs[len(segs)-1]
			offs, end := recordOffsets(t, path)
			rec := offs[len(offs)-1]
			tt.mutate(t, path, rec, end)

			var logBuf bytes.Buffer
			opts.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
			w := mustOpen(t, dir, opts)
			checkRecovered(t, w, m)
			logged := strings.Contains(logBuf.String(), "torn tail")
			if logged != tt.logged {
				t.Fatalf("repair logged = %v, want %v; log:\n%s", logged, tt.logged, logBuf.String())
			}
			if want := fmt.Sprintf("file=%s offset=%d", path, rec); tt.logged && !strings.Contains(logBuf.String(), want) {
				t.Fatalf("log does not name %q:\n%s", want, logBuf.String())
			}

			// The repaired log takes new records where the torn one was.
			ents := makeEntries(51, 53, 2)
			hs := raftpb.HardState{Term: 2, Vote: 2, Commit: 50}
			mustSave(t, w, hs, ents)
			m.save(hs, ents)
			mustClose(t, w)
			logBuf.Reset()
			w = mustOpen(t, dir, opts)
			defer mustClose(t, w)
			checkRecovered(t, w, m)
			if strings.Contains(logBuf.String(), "torn tail") {
				t.Fatalf("second open repaired again:\n%s", logBuf.String())
			}
		})
	}
}

func TestCorrupt(t *testing.T) {
	flip := func(seg int, rec func(offs []int) int, delta int) func(t *testing.T, segs []string) (string, int) {
		return func(t *testing.T, segs []string) (string, int) {
			path := segs[(seg+len(segs))%len(segs)]
			offs, _ := recordOffsets(t, path)
			off := rec(offs)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[off+delta] ^= 0x04
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return path, off
		}
	}
	second := func(offs []int) int { return offs[1] }
	middle := func(offs []int) int { return offs[len(offs)/2] }
	last := func(offs []int) int { return offs[len(offs)-1] }
	tests := []struct {
		name   string
		damage func(t *testing.T, segs []string) (path string, off int) // off < 0: no offset to check
	}{
		{"first segment, second record", flip(0, second, headerSize)},
		{"first segment, its header", flip(0, func([]int) int { return 0 }, headerSize+5)},
		{"non-last segment, last record", flip(-2, last, headerSize)},
		{"last segment, middle record data", flip(-1, middle, headerSize+3)},
		{"last segment, middle record length", flip(-1, middle, 4)},
		{"last segment, middle record type", flip(-1, middle, 15)},
		{"missing middle segment", func(t *testing.T, segs []string) (string, int) {
			if err := os.Remove(segs[1]); err != nil {
				t.Fatal(err)
			}
			return filepath.Base(segs[2]), -1
		}},
		{"renamed segment", func(t *testing.T, segs []string) (string, int) {
			path := segs[len(segs)-1]
			seq, _, _ := parseSegmentName(filepath.Base(path))
			renamed := filepath.Join(filepath.Dir(path), segmentName(seq, 12345))
			if err := os.Rename(path, renamed); err != nil {
				t.Fatal(err)
			}
			return renamed, 0
		}},
		{"unknown record type", func(t *testing.T, segs []string) (string, int) {
			path := segs[len(segs)-1]
			_, end := recordOffsets(t, path)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			frame, _ := appendRecord(nil, recordType(9), rawData("from the future"))
			b = append(b[:end], frame...)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return path, end
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := testOptions(700)
			buildLog(t, dir, opts)
			segs := segmentFiles(t, dir)
			if lastRecs, _ := recordOffsets(t, segs[len(segs)-1]); len(segs) < 4 || len(lastRecs) < 5 {
				t.Fatalf("%d segments, %d records in the last: too few", len(segs), len(lastRecs))
			}
			path, off := tt.damage(t, segs)
			w, err := Open(dir, opts)
			if err == nil {
				w.Close()
				t.Fatal("Open succeeded on a corrupt log")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want ErrCorrupt", err)
			}
			want := path
			if off >= 0 {
				want = fmt.Sprintf("%s at offset %d", path, off)
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("Open: %v\nwant it to name %q", err, want)
			}
			t.Log(err)
		})
	}
}

// TestInterruptedRoll covers a crash between creating a segment and writing its first
// record: the new last segment is empty, zero-filled or holds garbage.
func TestInterruptedRoll(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
	}{
		{"empty", nil},
		{"preallocated", make([]byte, 4096)},
		{"torn first write", append(make([]byte, 100), 7, 7, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := testOptions(1024)
			m, last := buildLog(t, dir, opts)
			m.save(raftpb.HardState{}, last)
			segs := segmentFiles(t, dir)
			seq, _, _ := parseSegmentName(filepath.Base(segs[len(segs)-1]))
			next := filepath.Join(dir, segmentName(seq+1, 52))
			if err := os.WriteFile(next, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			w := mustOpen(t, dir, opts)
			checkRecovered(t, w, m)
			ents := makeEntries(52, 60, 3)
			hs := raftpb.HardState{Term: 3, Commit: 51}
			mustSave(t, w, hs, ents)
			m.save(hs, ents)
			mustClose(t, w)
			w = mustOpen(t, dir, opts)
			defer mustClose(t, w)
			checkRecovered(t, w, m)
		})
	}
}

func TestOpenCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "wal")
	w := mustOpen(t, dir, testOptions(0))
	checkRecovered(t, w, newModel())
	mustClose(t, w)
	if segs := segmentFiles(t, dir); len(segs) != 1 || filepath.Base(segs[0]) != segmentName(0, 1) {
		t.Fatalf("segments %v", segs)
	}
}
