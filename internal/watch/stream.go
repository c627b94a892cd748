package watch

import (
	"bytes"
	"context"
	"sync"
)

// Stream multiplexes watchers for one consumer, such as one gRPC Watch
// stream. Watch, Cancel, Reject, RequestProgress, ProgressTick and Close
// may be called from any goroutine (the gRPC receive loop, a ticker);
// Next by one consumer at a time.
type Stream struct {
	h     *Hub
	slots chan struct{} // one token per queued control response
	wake  chan struct{} // tells Next there is something to take; capacity 1
	done  chan struct{} // closed by Close

	// Guarded by the hub's mu:
	watchers       map[int64]*watcher // by ID, until cancelled
	lastID         int64              // the last ID the stream chose
	unsynced       int                // watchers in state unsynced
	progressWanted bool               // a RequestProgress waits for them

	mu          sync.Mutex // protects the fields below; taken after Hub.mu
	ctrl        []Response // control responses, in request order
	ready       []*watcher // watchers with something for Next
	progressRev int64      // revision of a due stream-wide progress response
	out         []Response // what the last Next returned, reused by the next
	closed      bool       // written with both locks held
}

// Watch adds a watcher and queues its created response, whose revision is
// the last one notified. It fails with ErrEmptyRange, ErrNegativeID or
// ErrDuplicateID (queueing nothing: see Reject), with ErrClosed, or with
// ctx's error while the control queue is full. A watcher whose StartRev is
// compacted is created, then gets a compaction response.
func (s *Stream) Watch(ctx context.Context, req Request) (int64, error) {
	if emptyRange(req.Key, req.End) {
		return 0, ErrEmptyRange
	}
	if req.ID < 0 {
		return 0, ErrNegativeID
	}
	if err := s.acquire(ctx); err != nil {
		return 0, err
	}
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closedLocked() {
		s.release(1)
		return 0, ErrClosed
	}
	id := req.ID
	if id == 0 {
		id = s.freeIDLocked()
	} else if _, ok := s.watchers[id]; ok {
		s.release(1)
		return 0, ErrDuplicateID
	}
	w := &watcher{
		id: id, s: s, key: req.Key, end: req.End,
		prevKV: req.PrevKV, noPut: req.NoPut, noDelete: req.NoDelete,
		progressNotify: req.ProgressNotify, fragment: req.Fragment,
	}
	cur := h.rev.Load()
	w.next = req.StartRev
	if w.next <= 0 {
		w.next = cur + 1
	}
	w.through = w.next - 1
	s.watchers[id] = w

	s.mu.Lock()
	defer s.unlockAndWake()
	s.ctrl = append(s.ctrl, Response{WatchID: id, Revision: cur, Created: true})
	if w.next <= cur {
		w.state = unsynced
		h.unsynced[w] = struct{}{}
		s.unsynced++
		h.kickSync()
	} else {
		w.state = synced
		h.index.add(w)
	}
	return id, nil
}

// Reject queues the created-and-cancelled response (watch ID -1) that
// answers a create request the caller refused, with reason as its cancel
// reason. It fails only with ErrClosed or ctx's error.
func (s *Stream) Reject(ctx context.Context, reason string) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closedLocked() {
		s.release(1)
		return ErrClosed
	}
	s.mu.Lock()
	defer s.unlockAndWake()
	s.ctrl = append(s.ctrl, Response{WatchID: AllWatchers, Revision: h.rev.Load(),
		Created: true, Canceled: true, CancelReason: reason})
	return nil
}

// Cancel removes watcher id, drops what it has buffered and queues its
// cancelled response. It reports false, queueing nothing, when the stream
// has no such watcher; it fails with ErrClosed or with ctx's error while
// the control queue is full.
func (s *Stream) Cancel(ctx context.Context, id int64) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closedLocked() {
		s.release(1)
		return false, ErrClosed
	}
	w, ok := s.watchers[id]
	if !ok {
		s.release(1)
		return false, nil
	}
	s.mu.Lock()
	defer s.unlockAndWake()
	h.dropLocked(w)
	s.ctrl = append(s.ctrl, Response{WatchID: id, Revision: h.rev.Load(), Canceled: true})
	return true, nil
}

// RequestProgress asks for a stream-wide progress response (watch ID
// AllWatchers) carrying a revision every watcher on the stream has been
// given all its events up to. It is queued as soon as every watcher is
// synced: now, or when the last one catches up. Requests made while one is
// due are merged into it. A stream without watchers gets nothing, as in
// etcd.
func (s *Stream) RequestProgress() {
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closedLocked() || len(s.watchers) == 0 {
		return
	}
	if s.unsynced > 0 {
		s.progressWanted = true
		return
	}
	s.mu.Lock()
	s.progressRev = h.rev.Load()
	s.unlockAndWake()
}

// ProgressTick is the periodic progress timer's tick (etcd's
// progress_notify): every synced watcher that asked for ProgressNotify and
// had no events sent since the previous tick gets a progress response.
func (s *Stream) ProgressTick() {
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closedLocked() {
		return
	}
	cur := h.rev.Load()
	s.mu.Lock()
	defer s.unlockAndWake()
	for _, w := range s.watchers {
		if !w.progressNotify || w.state != synced {
			continue
		}
		if w.sentEvents {
			w.sentEvents = false
			continue
		}
		// A watcher waiting for a future start revision has seen
		// everything before it.
		w.progress = max(cur, w.next-1)
		s.readyLocked(w)
	}
}

// Next waits until the stream has responses and takes them all: control
// responses first, then per watcher its events, compaction and progress
// responses, then the stream-wide progress response. The slice it returns,
// and the Events slices in it, are reused by the following call. Next fails with ErrClosed once
// the stream or hub is closed, or with ctx's error.
func (s *Stream) Next(ctx context.Context) ([]Response, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		out, nctrl, behind := s.takeLocked()
		s.mu.Unlock()
		if len(out) > 0 {
			s.release(nctrl)
			if behind {
				s.h.kickSync()
			}
			return out, nil
		}
		select {
		case <-s.wake:
		case <-s.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// takeLocked empties the stream's queues into responses. It also returns
// how many control responses it took, and whether an unsynced watcher's
// buffer was emptied, so the sync loop has room to fill.
func (s *Stream) takeLocked() (out []Response, nctrl int, behind bool) {
	if len(s.ctrl) == 0 && len(s.ready) == 0 && s.progressRev == 0 {
		return nil, 0, false
	}
	hubRev := s.h.rev.Load()
	clear(s.out) // the consumer is done with the last call's responses
	out = append(s.out[:0], s.ctrl...)
	nctrl = len(s.ctrl)
	clear(s.ctrl)
	s.ctrl = s.ctrl[:0]
	for _, w := range s.ready {
		w.queued = false
		var last int64
		if n := len(w.buf); n > 0 && w.state != cancelled {
			last = w.buf[n-1].Kv.ModRevision
			rev := w.through
			if w.state == synced {
				rev = max(rev, hubRev)
			}
			out = append(out, Response{WatchID: w.id, Revision: rev, Events: w.buf, Fragment: w.fragment})
			clear(w.spare)
			w.buf, w.spare = w.spare[:0], w.buf
			w.sentEvents = true
			behind = behind || w.state == unsynced
		}
		if w.final != nil {
			out = append(out, *w.final)
			w.final = nil
		}
		if w.progress > last && w.state == synced {
			out = append(out, Response{WatchID: w.id, Revision: w.progress})
		}
		w.progress = 0
	}
	clear(s.ready)
	s.ready = s.ready[:0]
	if s.progressRev != 0 {
		out = append(out, Response{WatchID: AllWatchers, Revision: s.progressRev})
		s.progressRev = 0
	}
	s.out = out
	return out, nctrl, behind
}

// Close removes the stream's watchers from the hub and makes Next fail
// with ErrClosed.
func (s *Stream) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.closeStreamLocked(s)
}

func (h *Hub) closeStreamLocked(s *Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, w := range s.watchers {
		h.dropLocked(w)
	}
	s.closed = true
	s.ctrl, s.ready = nil, nil
	close(s.done)
	delete(h.streams, s)
}

// dropLocked removes w from the hub and its stream, dropping what it has
// buffered. Both locks are held.
func (h *Hub) dropLocked(w *watcher) {
	s := w.s
	switch w.state {
	case synced:
		h.index.remove(w)
	case unsynced:
		delete(h.unsynced, w)
		s.unsyncedGoneLocked()
	}
	w.state = cancelled
	w.buf, w.spare, w.final = nil, nil, nil
	delete(s.watchers, w.id)
}

// unsyncedGoneLocked notes that one unsynced watcher synced or left, and
// queues the progress response a RequestProgress was waiting for if it was
// the last. Both locks are held.
func (s *Stream) unsyncedGoneLocked() {
	s.unsynced--
	if s.unsynced == 0 && s.progressWanted && len(s.watchers) > 0 {
		s.progressWanted = false
		s.progressRev = s.h.rev.Load()
	}
}

// readyLocked puts w on the list Next serves.
func (s *Stream) readyLocked(w *watcher) {
	if !w.queued {
		w.queued = true
		s.ready = append(s.ready, w)
	}
}

// unlockAndWake releases s.mu and wakes Next.
func (s *Stream) unlockAndWake() {
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// closedLocked reports whether the stream is closed; the hub's mu is held.
func (s *Stream) closedLocked() bool { return s.h.closed || s.closed }

// freeIDLocked returns the lowest unused ID above the last one chosen.
func (s *Stream) freeIDLocked() int64 {
	for {
		s.lastID++
		if _, ok := s.watchers[s.lastID]; !ok {
			return s.lastID
		}
	}
}

// acquire takes a control-queue slot, waiting for Next to free one.
func (s *Stream) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release returns n control-queue slots.
func (s *Stream) release(n int) {
	for range n {
		<-s.slots
	}
}

// emptyRange reports whether [key, end) holds no key.
func emptyRange(key, end []byte) bool {
	if len(end) == 0 || (len(end) == 1 && end[0] == 0) {
		return false
	}
	return bytes.Compare(key, end) >= 0
}
