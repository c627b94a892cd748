package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"go.etcd.io/raft/v3/raftpb"
)

// Options configures a WAL. The zero value is usable.
type Options struct {
	// SegmentBytes is the size at which a new segment file is started; the segment that
	// passes it is finished at a record boundary. It is also the size each new segment is
	// preallocated to. Zero means 64 MiB.
	SegmentBytes int64

	// Logger receives repairs and segment changes. Nil means slog.Default().
	Logger *slog.Logger

	// Sync makes f's written data durable. Nil means fdatasync(2). Tests inject failures here.
	Sync func(f *os.File) error

	// allocate preallocates f to size bytes, leaving it reading as zeros. Nil means
	// fallocate(2). Benchmarks replace it to compare strategies.
	allocate func(f *os.File, size int64) error
}

const defaultSegmentBytes = 64 << 20

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.SegmentBytes < 0:
		return o, fmt.Errorf("SegmentBytes is %d, must not be negative", o.SegmentBytes)
	case o.SegmentBytes == 0:
		o.SegmentBytes = defaultSegmentBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Sync == nil {
		o.Sync = fdatasync
	}
	if o.allocate == nil {
		o.allocate = fallocate
	}
	return o, nil
}

// WAL is an open write-ahead log: a directory of segment files holding the raft hard state,
// the log entries and snapshot markers of one member. The format and the recovery rules are
// described in the package documentation.
//
// All methods are safe for concurrent use and are serialised; Save is meant to be called
// from the goroutine that runs the raft Ready loop.
type WAL struct {
	dir     string
	opts    Options
	dirFile *os.File // held open for directory syncs and the exclusive lock

	// State recovered by Open; never changed afterwards.
	recSnap raftpb.SnapshotMetadata
	recHS   raftpb.HardState
	recEnts []raftpb.Entry

	mu         sync.Mutex              // protects the fields below
	segs       []segment               // retained segments, oldest first; the last is the tail
	tail       *os.File                // the last segment, open for writing
	tailOff    int64                   // end of the records in the tail; the next write goes here
	needHeader bool                    // the tail is empty: the next write starts with its header
	snap       raftpb.SnapshotMetadata // newest marker written
	hs         raftpb.HardState        // newest hard state written
	lastIndex  uint64                  // index of the last entry of the log, 0 if none
	markers    []uint64                // indexes of the markers in segs, non-decreasing
	buf        []byte                  // encoding buffer, reused by every write
	failed     error                   // set by the first failed write; wraps ErrFailed
	closed     bool
}

// Snapshot returns the newest snapshot marker Open read, or the zero value if there was none.
func (w *WAL) Snapshot() raftpb.SnapshotMetadata { return w.recSnap }

// HardState returns the newest hard state Open read, or the zero value if there was none. If
// it commits less than Snapshot().Index, its Commit is raised to that index: the snapshot
// holds only committed entries, and raft refuses to restart otherwise.
func (w *WAL) HardState() raftpb.HardState { return w.recHS }

// Entries returns the entries Open read with index greater than Snapshot().Index, in index
// order and with every overwrite applied: the entries to append to a raft MemoryStorage after
// applying the snapshot. They are contiguous, and the first is Snapshot().Index+1. The same
// slice is returned on every call and the WAL never changes it; nil if there are none.
func (w *WAL) Entries() []raftpb.Entry { return w.recEnts }

// Close releases the files and the directory lock. Everything Save returned nil for is
// already durable, so Close writes nothing. Calls after Close return ErrClosed.
func (w *WAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	return w.closeFilesLocked()
}

// closeFilesLocked closes the tail and the directory.
func (w *WAL) closeFilesLocked() error {
	var errs []error
	if w.tail != nil {
		errs = append(errs, w.tail.Close())
	}
	errs = append(errs, w.dirFile.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("wal: close %s: %w", w.dir, err)
	}
	return nil
}

// usableLocked returns the error every write-side method returns once the WAL has failed
// or been closed.
func (w *WAL) usableLocked() error {
	if w.closed {
		return ErrClosed
	}
	return w.failed
}

// failLocked records err, the failure of operation op, as the WAL's sticky failure and
// returns it.
func (w *WAL) failLocked(op string, err error) error {
	w.failed = fmt.Errorf("%w: %s: %w", ErrFailed, op, err)
	return w.failed
}
