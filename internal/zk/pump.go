package zk

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/concordkv/concord/internal/watch"
	"github.com/concordkv/concord/internal/znode"
)

// watchState is a connection's watches and the hub feeds behind them: one
// hub watcher per feed (the key of a watched node, or the keys below it),
// all on the connection's stream. The connection's mu guards it.
//
// The hub hands each watcher's events over in revision order, but not in
// one order across watchers, and a watcher may be behind the others while
// it catches up from history. So the pump keeps the events it has taken as
// pending, and releases them (fires the watches, queues the notifications)
// in revision order up to the stream's progress revision, below which
// every watcher has handed everything over.
type watchState struct {
	table   *watchTable
	ids     map[feed]int64 // the hub watcher of each feed
	feedOf  map[int64]feed // and back
	lastID  int64          // the last hub watcher ID chosen
	garbage map[feed]bool  // feeds that may have no watch left: to cancel
	begun   []feed         // feeds the request being processed needs (beginWatches)
	pending []pendingEvent // events taken from the hub, not yet released
	// progress: every feed's events up to it have been taken.
	progress int64
	// hold, while nonzero, keeps events after it pending: the processor
	// is adding watches, whose notifications must not precede its reply.
	hold int64
	// through: every event up to it has been released.
	through int64
	want    int64         // a drain waits for through to reach it
	moved   chan struct{} // closed, and replaced, when through moves
}

func newWatchState() watchState {
	return watchState{table: newWatchTable(), ids: map[feed]int64{}, feedOf: map[int64]feed{},
		garbage: map[feed]bool{}, moved: make(chan struct{})}
}

// pump turns the hub's events into watch notifications until the
// connection ends (or the hub closes, which ends the connection).
func (c *conn) pump() {
	for {
		resps, err := c.stream.Next(c.ctx)
		if err != nil {
			c.stop()
			return
		}
		c.mu.Lock()
		for i := range resps {
			c.takeLocked(&resps[i])
		}
		err = c.releaseLocked()
		ask := c.w.needProgress()
		c.mu.Unlock()
		if err != nil {
			return
		}
		if ask {
			c.stream.RequestProgress()
		}
	}
}

// takeLocked takes one response of the stream.
func (c *conn) takeLocked(r *watch.Response) {
	w := &c.w
	switch {
	case r.WatchID == watch.AllWatchers:
		w.progress = max(w.progress, r.Revision)
	case r.CompactRevision != 0:
		f, ok := w.feedOf[r.WatchID]
		if !ok {
			return
		}
		delete(w.feedOf, r.WatchID)
		delete(w.ids, f)
		delete(w.garbage, f)
		if w.table.needs(f) {
			// The changes it missed are gone from history, so it cannot be
			// resumed here. Drop the connection: the client reconnects and
			// re-registers its watches with setWatches, which decides from
			// each node's Stat against its last zxid what fired, as
			// ZooKeeper does, without needing the history.
			c.log.Warn("watch fell behind into compacted history; dropping the connection so the client re-registers its watches",
				"path", f.path, "compactRevision", r.CompactRevision, "session", sessionHex(c.session))
			c.stop()
		}
	default:
		for _, ev := range r.Events {
			for _, we := range znode.WatchEvents(c.scratch[:0], ev) {
				w.pending = append(w.pending, pendingEvent{we, ev.Kv.ModRevision})
			}
		}
	}
}

// releaseLocked fires the watches of the pending events every feed has
// handed over (and the processor does not hold back), in revision order,
// and queues their notifications.
func (c *conn) releaseLocked() error {
	w := &c.w
	limit := w.progress
	if w.hold != 0 {
		limit = min(limit, w.hold)
	}
	// stable: one feed's events of a revision stay in the order the
	// transaction made them
	slices.SortStableFunc(w.pending, func(a, b pendingEvent) int { return cmp.Compare(a.rev, b.rev) })
	n, _ := slices.BinarySearchFunc(w.pending, limit+1, func(e pendingEvent, rev int64) int { return cmp.Compare(e.rev, rev) })
	notes, dropped := w.table.fireAll(w.pending[:n])
	for _, f := range dropped {
		w.garbage[f] = true
	}
	for _, note := range notes {
		if err := c.put(c.notification(note)); err != nil {
			return err
		}
	}
	w.pending = slices.Delete(w.pending, 0, n)
	if limit > w.through {
		w.through = limit
		close(w.moved)
		w.moved = make(chan struct{})
	}
	return nil
}

// needProgress reports whether the pump must ask for a progress response:
// a drain waits beyond the progress, or pending events wait for one (and
// are not held back).
func (w *watchState) needProgress() bool {
	if w.want > w.progress {
		return true
	}
	for _, ch := range w.pending {
		if ch.rev > w.progress && (w.hold == 0 || ch.rev <= w.hold) {
			return true
		}
	}
	return false
}

// drainTimeout bounds a drain. Past it the reply goes out anyway, and the
// ordering guarantee may be broken for that reply; it is logged.
const drainTimeout = 5 * time.Second

// drain waits until every watch event up to rev has been released, so that
// a reply reflecting rev follows the notifications of the changes it shows
// (ZooKeeper's guarantee: a client sees a watch event before the data
// that triggered it). It returns at once when the connection has no feeds.
func (c *conn) drain(rev int64) error {
	if c.drained(rev) {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.ctx, drainTimeout)
	defer cancel()
	// the hub learns of a revision just after the store applies it
	for hub := c.s.b.Hub(); hub.Rev() < rev; {
		select {
		case <-time.After(100 * time.Microsecond):
		case <-ctx.Done():
			return c.drainTimedOut(rev)
		}
	}
	c.mu.Lock()
	c.w.want = max(c.w.want, rev)
	c.mu.Unlock()
	c.stream.RequestProgress()
	for {
		c.mu.Lock()
		moved := c.w.moved
		c.mu.Unlock()
		if c.drained(rev) {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return c.drainTimedOut(rev)
		}
	}
}

// drained reports whether every event up to rev has been released.
func (c *conn) drained(rev int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.w.ids) == 0 || c.w.through >= rev
}

func (c *conn) drainTimedOut(rev int64) error {
	if c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	c.log.Error("watch events not drained in time; replying anyway", "zxid", rev, "session", sessionHex(c.session))
	return nil
}

// beginWatches prepares a request that sets watches on paths: it starts
// the feeds they need that have no hub watcher (from now on: they are
// started before the request reads, so every change after the read comes
// through them), and holds the pump back, so that nothing is released
// between the read and the moment the watches are set with the reply
// queued (see setWatchesAndPut). The processor calls it before reading,
// and reply always ends the hold.
func (c *conn) beginWatches(needs []feed) error {
	c.mu.Lock()
	if c.w.table.len()+len(needs) > c.s.cfg.MaxWatches {
		c.mu.Unlock()
		return errTooManyWatches
	}
	c.w.hold = max(c.w.through, 1)
	c.w.begun = needs
	starts := map[int64]watch.Request{}
	for _, f := range needs {
		if _, ok := c.w.ids[f]; !ok {
			starts[c.newFeedLocked(f)] = feedRequest(0, f)
		}
	}
	c.mu.Unlock()
	return c.startFeeds(starts)
}

// newFeedLocked chooses the hub watcher ID of a new feed.
func (c *conn) newFeedLocked(f feed) int64 {
	c.w.lastID++
	c.w.ids[f], c.w.feedOf[c.w.lastID] = c.w.lastID, f
	return c.w.lastID
}

// setWatchesAndPut queues frames, the reply that reflects rev (and what
// goes with it), after every watch event up to rev. When beginWatches
// holds the pump back, it also sets watches (set at rev) and ends the
// hold: the events up to rev are released first, then the watches are set
// and the frames queued under one lock, so that no notification of the
// new watches precedes the reply.
func (c *conn) setWatchesAndPut(adds []watchAdd, rev int64, frames [][]byte) error {
	c.mu.Lock()
	holding := c.w.hold != 0
	if holding {
		c.w.hold = max(rev, 1)
	}
	c.mu.Unlock()
	if rev > c.lastZxid.Load() {
		if err := c.drain(rev); err != nil {
			return err
		}
	}
	if !holding {
		return c.putAll(frames)
	}
	c.mu.Lock()
	err := c.addWatchesLocked(adds, rev)
	if err == nil {
		err = c.putAll(frames)
	}
	for _, f := range c.w.begun {
		c.w.garbage[f] = true // tidyFeeds cancels it if no watch needs it
	}
	c.w.begun, c.w.hold = nil, 0
	ask := len(c.w.pending) > 0
	c.mu.Unlock()
	if ask {
		c.stream.RequestProgress()
	}
	return err
}

// addWatchesLocked sets watches at revision rev, unless they are too
// many.
func (c *conn) addWatchesLocked(adds []watchAdd, rev int64) error {
	if c.w.table.len()+len(adds) > c.s.cfg.MaxWatches {
		return errTooManyWatches
	}
	for _, a := range adds {
		for _, f := range c.w.table.add(a, rev) {
			delete(c.w.garbage, f)
		}
	}
	return nil
}

func (c *conn) putAll(frames [][]byte) error {
	for _, f := range frames {
		if err := c.put(f); err != nil {
			return err
		}
	}
	return nil
}

// feedRequest is the hub request of feed f: the changes after the current
// revision of its key or of the keys below it.
func feedRequest(id int64, f feed) watch.Request {
	if !f.below {
		return watch.Request{ID: id, Key: []byte(f.path)}
	}
	prefix := f.path + "/"
	if f.path == "/" {
		prefix = "/"
	}
	end := prefix[:len(prefix)-1] + "0" // the key after every key with the prefix
	return watch.Request{ID: id, Key: []byte(prefix), End: []byte(end)}
}

// startFeeds creates hub watchers. On failure the connection is closing.
func (c *conn) startFeeds(reqs map[int64]watch.Request) error {
	for id, req := range reqs {
		req.ID = id
		if _, err := c.stream.Watch(c.ctx, req); err != nil {
			return err
		}
	}
	return nil
}

// tidyFeeds cancels the hub watchers of feeds no watch needs any longer.
// The processor calls it before each request, so that the pump never waits
// for the hub's control queue, which only the pump empties.
func (c *conn) tidyFeeds() error {
	c.mu.Lock()
	var cancel []int64
	for f := range c.w.garbage {
		if !c.w.table.needs(f) {
			id := c.w.ids[f]
			delete(c.w.ids, f)
			delete(c.w.feedOf, id)
			cancel = append(cancel, id)
		}
		delete(c.w.garbage, f)
	}
	c.mu.Unlock()
	for _, id := range cancel {
		if _, err := c.stream.Cancel(c.ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// watchCount returns the number of watches the connection holds.
func (c *conn) watchCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.table.len()
}
