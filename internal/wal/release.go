package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
)

// ReleaseTo deletes the oldest segment files that are not needed to replay the log from the
// newest snapshot marker whose index is at most index. Call it once the snapshot at index is
// durable and older snapshots are no longer wanted; it does nothing if no such marker exists.
//
// A segment is deleted only if it and every older segment hold no entry with a greater index
// than that marker's, and it is not the last segment. The hard state and the newest marker
// survive because every segment begins with a copy of them. Segments are deleted oldest
// first, each deletion durable before the next, so a crash leaves the log a consecutive run
// of segments. An error leaves the WAL usable; the segments not yet deleted stay.
func (w *WAL) ReleaseTo(index uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usableLocked(); err != nil {
		return err
	}
	i := sort.Search(len(w.markers), func(i int) bool { return w.markers[i] > index })
	if i == 0 {
		return nil
	}
	cut := w.markers[i-1]
	for len(w.segs) > 1 && w.segs[0].maxIndex <= cut {
		seg := w.segs[0]
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("wal: release to %d: %w", index, err)
		}
		w.segs = w.segs[1:]
		w.opts.Logger.Info("wal: released segment", "file", seg.path, "snapshot_index", cut)
		if err := w.dirFile.Sync(); err != nil {
			return fmt.Errorf("wal: release to %d: sync directory: %w", index, err)
		}
	}
	w.markers = w.markers[i-1:]
	return nil
}
