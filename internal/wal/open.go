package wal

import (
	"errors"
	"fmt"
	"os"
)

// Open opens the log in dir, creating dir and an empty log if needed, reads every record and
// positions for appending. Only one WAL may have dir open at a time, in any process.
//
// A torn tail in the last segment is truncated away and logged; damage anywhere else is
// reported as an error wrapping ErrCorrupt that names the file and offset (see the package
// documentation for the exact rule). The recovered state is available from Snapshot,
// HardState and Entries.
func Open(dir string, opts Options) (*WAL, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	w, err := open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	return w, nil
}

func open(dir string, opts Options) (*WAL, error) {
	if err := makeDir(dir); err != nil {
		return nil, err
	}
	dirFile, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w := &WAL{dir: dir, opts: opts, dirFile: dirFile}
	if err := w.load(); err != nil {
		w.closeFilesLocked()
		return nil, err
	}
	return w, nil
}

// load recovers the segments in the WAL's directory, or creates the first one.
func (w *WAL) load() error {
	segs, err := listSegments(w.dir)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		return w.rollLocked()
	}
	return w.recover(segs)
}

// recover replays segs, repairs a torn tail and opens the last segment for appending.
func (w *WAL) recover(segs []segment) error {
	var rp replay
	for i := range segs {
		last := i == len(segs)-1
		res, err := w.replaySegment(&segs[i], &rp, last)
		if err != nil {
			return err
		}
		if last {
			if err := w.openTail(segs[i], res); err != nil {
				return err
			}
		}
	}
	if err := rp.finish(); err != nil {
		return err
	}
	w.recSnap, w.recHS, w.recEnts = rp.snap, rp.hs, rp.ents
	w.snap, w.hs, w.markers = rp.snap, rp.hs, rp.markers
	if n := len(rp.ents); n > 0 {
		w.lastIndex = rp.ents[n-1].Index
	}
	w.segs = segs
	w.opts.Logger.Info("wal: opened", "dir", w.dir, "segments", len(segs),
		"snapshot_index", w.snap.Index, "entries", len(w.recEnts), "commit", w.hs.Commit)
	return nil
}

// replaySegment applies the records of seg to rp and describes how seg ends. Damage that is
// not a torn tail of the last segment is an error wrapping ErrCorrupt.
func (w *WAL) replaySegment(seg *segment, rp *replay, last bool) (scanResult, error) {
	b, err := os.ReadFile(seg.path)
	if err != nil {
		return scanResult{}, err
	}
	rp.segMax = 0
	res, err := scanSegment(b, func(off int, rec record) error {
		if err := applySegmentRecord(*seg, rp, off, rec); err != nil {
			return corruptAt(seg.path, off, err)
		}
		return nil
	})
	if err != nil {
		return scanResult{}, err
	}
	seg.maxIndex = rp.segMax
	switch {
	case res.tail == tailCorrupt:
		return scanResult{}, corruptAt(seg.path, res.end,
			fmt.Errorf("%w, and a valid record follows at offset %d", res.cause, res.next))
	case res.tail == tailTorn && !last:
		return scanResult{}, corruptAt(seg.path, res.end,
			fmt.Errorf("%w in a segment that is not the last", res.cause))
	case res.end == 0 && !last:
		return scanResult{}, corruptAt(seg.path, 0, errors.New("empty segment is not the last"))
	}
	return res, nil
}

// applySegmentRecord applies the record at offset off of seg: the segment header at offset 0
// is checked, every other record is replayed.
func applySegmentRecord(seg segment, rp *replay, off int, rec record) error {
	switch {
	case off == 0 && rec.typ != typeSegment:
		return errors.New("segment does not start with a segment header")
	case off == 0:
		var h segmentHeader
		if err := h.Unmarshal(rec.data); err != nil {
			return err
		}
		return h.check(seg)
	case rec.typ == typeSegment:
		return errors.New("segment header inside a segment")
	}
	return rp.apply(rec)
}

// openTail opens the last segment for appending at res.end, first truncating a torn tail
// away and making the truncation durable. It preallocates the segment if it is short.
func (w *WAL) openTail(seg segment, res scanResult) error {
	f, err := os.OpenFile(seg.path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	w.tail, w.tailOff, w.needHeader = f, int64(res.end), res.end == 0
	if res.tail == tailTorn {
		w.opts.Logger.Warn("wal: truncating torn tail", "file", seg.path, "offset", res.end,
			"dropped_bytes", res.damaged, "cause", res.cause)
		if err := f.Truncate(int64(res.end)); err != nil {
			return fmt.Errorf("truncate torn tail: %w", err)
		}
	}
	if err := w.opts.allocate(f, w.opts.SegmentBytes); err != nil {
		return fmt.Errorf("preallocate %s: %w", seg.path, err)
	}
	if res.tail == tailTorn {
		if err := w.opts.Sync(f); err != nil {
			return fmt.Errorf("sync %s after truncating: %w", seg.path, err)
		}
	}
	return nil
}
