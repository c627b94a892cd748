package watch

import (
	"sync"
	"sync/atomic"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// Store is the history the hub catches watchers up from; *mvcc.Store
// implements it. All three methods are called from the hub's sync loop and
// from New, concurrently with the apply goroutine's writes.
type Store interface {
	// Rev returns the store's current revision.
	Rev() int64
	// CompactRev returns the latest compaction revision.
	CompactRev() int64
	// Events returns the changes in [key, end) with revisions in
	// [fromRev, toRev], as mvcc.Store.Events does (whole revisions, at least
	// limit events when truncated, mvcc.ErrCompacted when fromRev <=
	// CompactRev()).
	Events(key, end []byte, fromRev, toRev int64, limit int) ([]mvccpb.Event, error)
}

// Config tunes a Hub. Zero fields take the defaults.
type Config struct {
	// BufferEvents bounds the events buffered for one watcher and not yet
	// taken by Next (one revision is never split, so a single larger
	// revision may exceed it). Default 1024.
	BufferEvents int
	// CatchUpRevs is the most revisions one history read covers. Default
	// 1000, as etcd's watchBatchMaxRevs.
	CatchUpRevs int
	// CatchUpWatchers is the most unsynced watchers one round of the sync
	// loop serves before looking for new ones. Default 512.
	CatchUpWatchers int
	// ControlQueue bounds a stream's control responses (created, cancelled,
	// rejected) not yet taken by Next; Watch, Cancel and Reject wait for
	// room. Default 128.
	ControlQueue int
}

func (c Config) withDefaults() Config {
	if c.BufferEvents <= 0 {
		c.BufferEvents = 1024
	}
	if c.CatchUpRevs <= 0 {
		c.CatchUpRevs = 1000
	}
	if c.CatchUpWatchers <= 0 {
		c.CatchUpWatchers = 512
	}
	if c.ControlQueue <= 0 {
		c.ControlQueue = 128
	}
	return c
}

// Hub fans applied changes out to watchers. Create it with New, feed it
// with Notify, hand out streams with NewStream, stop it with Close.
type Hub struct {
	store Store
	cfg   Config

	// rev is the last revision notified: every synced watcher has been
	// handed every event up to it. Written under mu after the fan-out, so
	// Next may read it without mu to date its responses.
	rev atomic.Int64

	mu       sync.Mutex // protects the fields below; taken before Stream.mu
	index    index      // synced watchers
	unsynced map[*watcher]struct{}
	streams  map[*Stream]struct{}
	closed   bool
	touched  []*watcher // Notify's scratch: watchers matched by one revision
	batch    []*watcher // the sync loop's scratch

	kick chan struct{} // wakes the sync loop; capacity 1
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the sync loop has returned
}

// New returns a hub at the store's current revision and starts its sync
// loop. The caller must call Close.
func New(store Store, cfg Config) *Hub {
	h := &Hub{
		store:    store,
		cfg:      cfg.withDefaults(),
		index:    newIndex(),
		unsynced: map[*watcher]struct{}{},
		streams:  map[*Stream]struct{}{},
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	h.rev.Store(store.Rev())
	go h.syncLoop()
	return h
}

// Rev returns the last revision the hub was notified of.
func (h *Hub) Rev() int64 { return h.rev.Load() }

// Notify hands the events of the write transaction that produced revision
// rev (TxnResult.Events, every one carrying rev) to the synced watchers.
// It is called by the apply goroutine after the store applied rev, in
// revision order, and never blocks on a consumer. The hub keeps pointers
// into events: the caller must not modify them afterwards. A rev not above
// the last one is ignored; a rev that skips revisions makes every synced
// watcher catch up from history, as Resync does, so a missed call costs
// time, never an event.
func (h *Hub) Notify(rev int64, events []mvccpb.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cur := h.rev.Load()
	switch {
	case h.closed || rev <= cur:
		return
	case rev > cur+1:
		h.resyncLocked(rev)
		return
	}
	var bare []mvccpb.Event // events without PrevKv, made when first needed
	for i := range events {
		ev := &events[i]
		for _, w := range h.index.keys[string(ev.Kv.Key)] {
			h.match(w, rev, events, &bare, i)
		}
		for _, w := range h.index.ranges {
			if w.contains(ev.Kv.Key) {
				h.match(w, rev, events, &bare, i)
			}
		}
	}
	h.deliverLocked(rev)
	h.rev.Store(rev)
}

// match records that watcher w wants events[i] of revision rev. A watcher
// without PrevKV gets the copy in *bare, which match makes on first use
// and buffers then share.
func (h *Hub) match(w *watcher, rev int64, events []mvccpb.Event, bare *[]mvccpb.Event, i int) {
	ev := &events[i]
	if rev < w.next || !w.wants(ev) {
		return
	}
	if w.mark != rev {
		w.mark = rev
		w.matched = w.matched[:0]
		h.touched = append(h.touched, w)
	}
	if !w.prevKV && ev.PrevKv != nil {
		if *bare == nil {
			*bare = make([]mvccpb.Event, len(events))
			for j := range events {
				(*bare)[j] = mvccpb.Event{Type: events[j].Type, Kv: events[j].Kv}
			}
		}
		ev = &(*bare)[i]
	}
	w.matched = append(w.matched, ev)
}

// deliverLocked appends each touched watcher's events of revision rev to
// its buffer, or unsyncs it when they do not fit. Consecutive watchers of
// one stream are served under one acquisition of its lock.
func (h *Hub) deliverLocked(rev int64) {
	var s *Stream
	for _, w := range h.touched {
		if w.s != s {
			if s != nil {
				s.unlockAndWake()
			}
			s = w.s
			s.mu.Lock()
		}
		if len(w.buf) > 0 && len(w.buf)+len(w.matched) > h.cfg.BufferEvents {
			h.unsyncLocked(w, rev)
		} else {
			w.buf = append(w.buf, w.matched...)
			w.through = rev
			s.readyLocked(w)
		}
		clear(w.matched)
		w.matched = w.matched[:0]
	}
	if s != nil {
		s.unlockAndWake()
	}
	clear(h.touched)
	h.touched = h.touched[:0]
}

// unsyncLocked moves synced watcher w to the sync loop, which will resume
// it at revision from. Both locks are held.
func (h *Hub) unsyncLocked(w *watcher, from int64) {
	h.index.remove(w)
	h.unsynced[w] = struct{}{}
	w.state = unsynced
	w.next = max(w.next, from)
	w.s.unsynced++
	h.kickSync()
}

// Resync tells the hub that the store moved to revision rev without
// Notify calls, as when it is restored from a snapshot. Every synced
// watcher is caught up from history; a watcher whose history is gone gets
// a compaction response. It is called by the apply goroutine.
func (h *Hub) Resync(rev int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.resyncLocked(rev)
	}
}

func (h *Hub) resyncLocked(rev int64) {
	from := h.rev.Load() + 1
	for s := range h.streams {
		s.mu.Lock()
		for _, w := range s.watchers {
			if w.state == synced {
				h.unsyncLocked(w, from)
			}
		}
		s.mu.Unlock()
	}
	h.rev.Store(rev)
}

// NewStream returns a new, empty stream. After Close it returns a closed
// stream, whose Next fails with ErrClosed.
func (h *Hub) NewStream() *Stream {
	s := &Stream{
		h:        h,
		slots:    make(chan struct{}, h.cfg.ControlQueue),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		watchers: map[int64]*watcher{},
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closed = true
		close(s.done)
		return s
	}
	h.streams[s] = struct{}{}
	return s
}

// Stats counts the hub's streams and watchers.
type Stats struct {
	Streams, Watchers, Unsynced int
}

// Stats returns the hub's current counts.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Stats{Streams: len(h.streams), Unsynced: len(h.unsynced)}
	for s := range h.streams {
		st.Watchers += len(s.watchers)
	}
	return st
}

// Close closes every stream and stops the sync loop, waiting for it.
// Notify and Resync do nothing afterwards.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		<-h.done
		return
	}
	h.closed = true
	for s := range h.streams {
		h.closeStreamLocked(s)
	}
	close(h.stop)
	h.mu.Unlock()
	<-h.done
}

func (h *Hub) kickSync() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}
