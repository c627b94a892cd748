package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// segment is one segment file of the log.
type segment struct {
	seq        uint64 // position in the log; consecutive segments have consecutive seqs
	firstIndex uint64 // the index the log expected next when the segment was created
	path       string
	maxIndex   uint64 // largest entry index written in the segment, 0 if it holds no entries
}

const segmentSuffix = ".wal"

// segmentName returns the file name of a segment. Both fields are fixed-width hex, so the
// lexical order of names is the order of the log.
func segmentName(seq, firstIndex uint64) string {
	return fmt.Sprintf("%016x-%016x%s", seq, firstIndex, segmentSuffix)
}

// parseSegmentName is the inverse of segmentName. Only names segmentName produces are
// accepted.
func parseSegmentName(name string) (seq, firstIndex uint64, ok bool) {
	stem, _ := strings.CutSuffix(name, segmentSuffix)
	a, b, _ := strings.Cut(stem, "-")
	seq, errA := strconv.ParseUint(a, 16, 64)
	firstIndex, errB := strconv.ParseUint(b, 16, 64)
	if errA != nil || errB != nil || segmentName(seq, firstIndex) != name {
		return 0, 0, false
	}
	return seq, firstIndex, true
}

// listSegments returns the segments in dir in log order. Files not ending in ".wal" are
// ignored; a ".wal" file with a malformed name, or a gap in the sequence, is an error. A gap
// at the start is expected: ReleaseTo deletes the oldest segments.
func listSegments(dir string) ([]segment, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), segmentSuffix) {
			continue
		}
		seq, first, ok := parseSegmentName(de.Name())
		if !ok {
			return nil, fmt.Errorf("unexpected file %s: not a segment name", de.Name())
		}
		if n := len(segs); n > 0 && segs[n-1].seq+1 != seq {
			return nil, fmt.Errorf("%w: segments %s and %s are not consecutive",
				ErrCorrupt, filepath.Base(segs[n-1].path), de.Name())
		}
		segs = append(segs, segment{seq: seq, firstIndex: first, path: filepath.Join(dir, de.Name())})
	}
	return segs, nil
}

// makeDir creates dir if it does not exist and makes its directory entry durable.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// syncDir makes the entries of the directory at path durable.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// lockDir opens dir and takes an exclusive advisory lock on it, held until the returned file
// is closed, so that two WALs never append to the same log.
func lockDir(dir string) (*os.File, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(d.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: the log is open elsewhere", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return d, nil
}

// fdatasync is the default Options.Sync.
func fdatasync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}

// fallocate is the default preallocation: it reserves size bytes for f, so that appends
// within them change no file size, and leaves f's contents reading as zeros. File systems
// that cannot preallocate are left alone.
func fallocate(f *os.File, size int64) error {
	for {
		err := unix.Fallocate(int(f.Fd()), 0, 0, size)
		switch {
		case err == unix.EINTR:
			continue
		case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOSYS):
			return nil
		}
		return err
	}
}
