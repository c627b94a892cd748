package wal

import (
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// maxKeptBuffer bounds the encoding buffer kept between writes, so that one huge batch does
// not pin its memory for the life of the WAL.
const maxKeptBuffer = 4 << 20

// Save appends ents and then hs (unless hs is empty, raft.IsEmptyHardState) in one write and
// makes them durable with one call to Options.Sync. It returns nil only once they are
// durable. It is a no-op if hs and ents are both empty.
//
// The caller is the raft Ready loop, passing Ready.HardState and Ready.Entries before it
// sends Ready.Messages. ents must have consecutive indexes, and the first must be at most one
// past the log's last index or, if greater, the newest snapshot marker's index: when a Ready
// carries both a snapshot and entries, call SaveSnapshot first. A first index at or below the
// log's last index means a new leader overwrote a suffix: the entries from that index on are
// replaced. Save does not keep ents.
//
// Any error is sticky and wraps ErrFailed; see ErrFailed.
func (w *WAL) Save(hs raftpb.HardState, ents []raftpb.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return err
	}
	saveHS := !raft.IsEmptyHardState(hs)
	if !saveHS && len(ents) == 0 {
		return nil
	}
	if err := w.checkEntriesLocked(ents); err != nil {
		return w.failLocked("save", err)
	}
	if err := w.saveLocked(hs, saveHS, ents); err != nil {
		return w.failLocked("save", err)
	}
	if n := len(ents); n > 0 {
		w.lastIndex = ents[n-1].Index
		tail := &w.segs[len(w.segs)-1]
		tail.maxIndex = max(tail.maxIndex, w.lastIndex)
	}
	return nil
}

// checkEntriesLocked checks that ents can be appended to the log without leaving a gap.
func (w *WAL) checkEntriesLocked(ents []raftpb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	next := max(w.lastIndex, w.snap.Index) + 1
	if ents[0].Index == 0 || ents[0].Index > next {
		return fmt.Errorf("first entry index %d, want 1 to %d", ents[0].Index, next)
	}
	for i := 1; i < len(ents); i++ {
		if ents[i].Index != ents[i-1].Index+1 {
			return fmt.Errorf("entry index %d follows %d", ents[i].Index, ents[i-1].Index)
		}
	}
	return nil
}

// saveLocked writes ents, then hs if saveHS.
func (w *WAL) saveLocked(hs raftpb.HardState, saveHS bool, ents []raftpb.Entry) error {
	err := w.beginLocked()
	for i := 0; err == nil && i < len(ents); i++ {
		w.buf, err = appendRecord(w.buf, typeEntry, &ents[i])
	}
	if err == nil && saveHS {
		// Encoding from w.hs rather than &hs keeps hs on the stack.
		w.hs = hs
		w.buf, err = appendRecord(w.buf, typeHardState, &w.hs)
	}
	if err != nil {
		return err
	}
	return w.commitLocked()
}

// SaveSnapshot records that a snapshot at meta.Index and meta.Term exists and returns once
// the marker is durable. The snapshot itself is stored elsewhere; write it durably first.
// Markers must not go backwards: meta.Index must be at least that of the previous marker. It
// is a no-op if meta.Index is zero, which raft uses for "no snapshot" (raft.IsEmptySnap).
//
// Any error is sticky and wraps ErrFailed; see ErrFailed.
func (w *WAL) SaveSnapshot(meta raftpb.SnapshotMetadata) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return err
	}
	if meta.Index == 0 {
		return nil
	}
	if meta.Index < w.snap.Index {
		return w.failLocked("save snapshot", fmt.Errorf("marker at index %d is older than the marker at %d",
			meta.Index, w.snap.Index))
	}
	err := w.beginLocked()
	if err == nil {
		w.snap = meta
		w.buf, err = appendRecord(w.buf, typeSnapshot, &w.snap)
	}
	if err == nil {
		err = w.commitLocked()
	}
	if err != nil {
		return w.failLocked("save snapshot", err)
	}
	w.markers = append(w.markers, meta.Index)
	return nil
}

// beginLocked starts a write: it empties the buffer, starts a new segment if the tail is
// full, and puts the header and preamble of a new segment into the buffer.
//
// The preamble repeats the newest snapshot marker and hard state, so that every segment
// carries the state written before it and ReleaseTo can delete older segments whole.
func (w *WAL) beginLocked() (err error) {
	w.buf = w.buf[:0]
	if w.tailOff >= w.opts.SegmentBytes {
		if err := w.rollLocked(); err != nil {
			return err
		}
	}
	if !w.needHeader {
		return nil
	}
	tail := w.segs[len(w.segs)-1]
	h := segmentHeader{version: formatVersion, seq: tail.seq, firstIndex: tail.firstIndex}
	w.buf, err = appendRecord(w.buf, typeSegment, &h)
	if err == nil && w.snap.Index > 0 {
		w.buf, err = appendRecord(w.buf, typeSnapshot, &w.snap)
	}
	if err == nil && !raft.IsEmptyHardState(w.hs) {
		w.buf, err = appendRecord(w.buf, typeHardState, &w.hs)
	}
	return err
}

// commitLocked writes the buffer at the end of the tail with one write and makes it durable
// with one call to Options.Sync.
func (w *WAL) commitLocked() error {
	if _, err := w.tail.WriteAt(w.buf, w.tailOff); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := w.opts.Sync(w.tail); err != nil {
		return fmt.Errorf("sync %s: %w", w.tail.Name(), err)
	}
	w.tailOff += int64(len(w.buf))
	w.needHeader = false
	if cap(w.buf) > maxKeptBuffer {
		w.buf = nil
	}
	return nil
}

// rollLocked creates and preallocates the next segment, makes its directory entry durable
// and makes it the tail. The previous tail's records are already durable.
func (w *WAL) rollLocked() error {
	var seq uint64
	if n := len(w.segs); n > 0 {
		seq = w.segs[n-1].seq + 1
	}
	first := max(w.lastIndex, w.snap.Index) + 1
	path := filepath.Join(w.dir, segmentName(seq, first))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if err := w.opts.allocate(f, w.opts.SegmentBytes); err != nil {
		f.Close()
		return fmt.Errorf("preallocate %s: %w", path, err)
	}
	if err := w.dirFile.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync directory %s: %w", w.dir, err)
	}
	if w.tail != nil {
		if err := w.tail.Close(); err != nil {
			w.opts.Logger.Warn("wal: closing finished segment", "file", w.tail.Name(), "err", err)
		}
	}
	w.tail, w.tailOff, w.needHeader = f, 0, true
	w.segs = append(w.segs, segment{seq: seq, firstIndex: first, path: path})
	w.opts.Logger.Debug("wal: started segment", "file", path)
	return nil
}
