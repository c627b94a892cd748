package wal

import (
	"fmt"
	"os"
	"sort"
)

// ReleaseTo deletes the oldest segment files that are not needed to replay the log from the
// newest snapshot marker whose index is at most index. Call it once the snapshot at index is
// durable and older snapshots are no longer wanted; it does nothing if no such marker exists.
//
// A segment is deleted only if it and every older segment hold no entry with a greater index
// than that marker's, and it is not the last segment. The hard state and the newest marker
// survive because every segment begins with a copy of them. Deletions need not be durable: a
// segment that reappears after a crash is replayed harmlessly.
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
		if err := os.Remove(w.segs[0].path); err != nil {
			return fmt.Errorf("wal: release to %d: %w", index, err)
		}
		w.opts.Logger.Info("wal: released segment", "file", w.segs[0].path, "snapshot_index", cut)
		w.segs = w.segs[1:]
	}
	w.markers = w.markers[i-1:]
	return nil
}
