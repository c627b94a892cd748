package watch

import (
	"errors"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// syncLoop is the hub's goroutine, "watch sync loop": it catches unsynced
// watchers up from history. It sleeps until kicked (a watcher fell behind
// or was created in the past, a consumer emptied a lagging buffer, the
// store was resynced), then serves rounds until no watcher can progress.
// Started by New; Close stops it and waits for it.
func (h *Hub) syncLoop() {
	defer close(h.done)
	for {
		select {
		case <-h.stop:
			return
		case <-h.kick:
		}
		for h.syncRound() {
			select {
			case <-h.stop:
				return
			default:
			}
		}
	}
}

// syncRound serves up to CatchUpWatchers unsynced watchers that have room
// in their buffers, one history read each, and reports whether another
// round could progress right away.
func (h *Hub) syncRound() (more bool) {
	h.mu.Lock()
	batch := h.batch[:0]
	for w := range h.unsynced {
		if len(batch) == h.cfg.CatchUpWatchers {
			more = true
			break
		}
		w.s.mu.Lock()
		room := len(w.buf) < h.cfg.BufferEvents
		w.s.mu.Unlock()
		if room {
			batch = append(batch, w)
		}
	}
	h.mu.Unlock()
	for _, w := range batch {
		if h.catchUp(w) {
			more = true
		}
	}
	clear(batch)
	h.batch = batch[:0]
	return more
}

// catchUp reads the next stretch of w's missing history without holding
// the hub's lock, so Notify goes on meanwhile, then buffers it. If that
// brings w up to the last revision notified, w is synced again. It
// reports whether w is still behind and made progress (so has more to read
// straight away).
func (h *Hub) catchUp(w *watcher) (more bool) {
	s := w.s
	h.mu.Lock()
	if w.state != unsynced {
		h.mu.Unlock()
		return false
	}
	from := w.next
	to := min(h.rev.Load(), from+int64(h.cfg.CatchUpRevs)-1)
	s.mu.Lock()
	room := h.cfg.BufferEvents - len(w.buf)
	s.mu.Unlock()
	h.mu.Unlock()
	if room <= 0 {
		return false
	}

	var evs []mvccpb.Event
	var err error
	if from <= to {
		evs, err = h.store.Events(w.key, w.end, from, to, room)
	}
	var compactRev int64
	if errors.Is(err, mvcc.ErrCompacted) {
		compactRev = h.store.CompactRev()
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	s.mu.Lock()
	defer s.unlockAndWake()
	switch {
	case w.state != unsynced: // cancelled or closed meanwhile
		return false
	case compactRev != 0:
		h.compactLocked(w, compactRev)
		return false
	case err != nil:
		h.failLocked(w, err)
		return false
	}
	if from <= to {
		if len(evs) >= room { // truncated: complete only up to its last revision
			to = evs[len(evs)-1].Kv.ModRevision
		}
		through := w.bufferHistoryLocked(evs, to, h.cfg.BufferEvents)
		if through < from {
			return false // the next revision does not fit yet; wait for Next
		}
		w.next = through + 1
		w.through = max(w.through, through)
		if len(w.buf) > 0 {
			s.readyLocked(w)
		}
	}
	if w.next > h.rev.Load() {
		delete(h.unsynced, w)
		w.state = synced
		h.index.add(w)
		s.unsyncedGoneLocked()
		return false
	}
	return true
}

// bufferHistoryLocked appends the events of evs that w wants, which are
// complete up to revision to, revision by revision while they fit in
// bound (a revision always fits an empty buffer), and returns the revision
// up to which w now has everything. The stream's mu is held.
func (w *watcher) bufferHistoryLocked(evs []mvccpb.Event, to int64, bound int) (through int64) {
	for i := 0; i < len(evs); {
		rev := evs[i].Kv.ModRevision
		j, n := i, 0
		for ; j < len(evs) && evs[j].Kv.ModRevision == rev; j++ {
			if w.wants(&evs[j]) {
				n++
			}
		}
		if len(w.buf) > 0 && len(w.buf)+n > bound {
			return rev - 1
		}
		for ; i < j; i++ {
			if ev := &evs[i]; w.wants(ev) {
				if !w.prevKV {
					ev.PrevKv = nil
				}
				w.buf = append(w.buf, ev)
			}
		}
	}
	return to
}

// compactLocked cancels unsynced watcher w, whose history from w.next was
// compacted at compactRev: its final response follows what it has
// buffered. It keeps its ID until cancelled. Both locks are held.
func (h *Hub) compactLocked(w *watcher, compactRev int64) {
	delete(h.unsynced, w)
	w.state = compacted
	// Our compaction keeps no tombstone at compactRev, so the first
	// revision a watcher can start at is the next one.
	w.final = &Response{WatchID: w.id, Revision: h.rev.Load(), CompactRevision: compactRev + 1, Canceled: true}
	w.s.readyLocked(w)
	w.s.unsyncedGoneLocked()
}

// failLocked cancels unsynced watcher w after a history read failed for a
// reason other than compaction (a broken invariant: the store is behind
// the hub). Both locks are held.
func (h *Hub) failLocked(w *watcher, err error) {
	delete(h.unsynced, w)
	w.state = compacted
	w.final = &Response{WatchID: w.id, Revision: h.rev.Load(), Canceled: true, CancelReason: err.Error()}
	w.s.readyLocked(w)
	w.s.unsyncedGoneLocked()
}
