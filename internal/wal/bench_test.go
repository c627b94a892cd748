package wal

import (
	"fmt"
	"log/slog"
	"os"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

// zeroFill preallocates by writing zeros and syncing them, so that later writes into the
// segment change no file-system metadata at all. It is slower to start a segment than
// fallocate, which leaves unwritten extents to be converted on first write.
func zeroFill(f *os.File, size int64) error {
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off); err != nil {
			return err
		}
	}
	return fdatasync(f)
}

// BenchmarkSave measures Save in the test's temporary directory: one Ready's worth of
// entries of 256 bytes plus a hard state, with real fdatasync under each preallocation
// strategy, and without syncing to show the CPU and write(2) cost alone.
func BenchmarkSave(b *testing.B) {
	noSync := func(*os.File) error { return nil }
	configs := []struct {
		name     string
		allocate func(*os.File, int64) error
		sync     func(*os.File) error
	}{
		{"prealloc=fallocate", nil, nil},
		{"prealloc=none", func(*os.File, int64) error { return nil }, nil},
		{"prealloc=zerofill", zeroFill, nil},
		{"prealloc=fallocate/sync=off", nil, noSync},
	}
	for _, n := range []int{1, 64} {
		for _, c := range configs {
			b.Run(fmt.Sprintf("entries=%d/%s", n, c.name), func(b *testing.B) {
				opts := Options{Logger: slog.New(slog.DiscardHandler), Sync: c.sync, allocate: c.allocate}
				benchmarkSave(b, n, opts)
			})
		}
	}
}

func benchmarkSave(b *testing.B, n int, opts Options) {
	w := mustOpen(b, b.TempDir(), opts)
	defer mustClose(b, w)
	ents := make([]raftpb.Entry, n)
	for i := range ents {
		ents[i] = raftpb.Entry{Term: 1, Data: make([]byte, 256)}
	}
	b.SetBytes(int64(n * 256))
	b.ReportAllocs()
	next := uint64(1)
	for b.Loop() {
		for i := range ents {
			ents[i].Index = next
			next++
		}
		if err := w.Save(raftpb.HardState{Term: 1, Vote: 1, Commit: next - 1}, ents); err != nil {
			b.Fatal(err)
		}
	}
}
