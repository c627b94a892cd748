package lease

import (
	"container/heap"
	"context"
	"time"
)

// Run calls Tick every TickInterval until ctx is done. The server starts it
// once per member, on a goroutine it owns, whether or not the member leads
// (Tick does nothing while the Lessor is inactive), and cancels ctx to stop
// it; Run returns once stopped.
func (l *Lessor) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.cfg.Clock.After(l.cfg.TickInterval):
			l.Tick(ctx)
		}
	}
}

// Tick does the Lessor's periodic work at the clock's current time:
//
//  1. Leases whose expiry has passed are reported to Config.Revoke, oldest
//     first, at most RevokeRate per second of clock time since the last
//     Tick. A reported lease stays in the Lessor until its revoke is
//     applied; if that has not happened RetryInterval later (the proposal
//     was lost or dropped), it is reported again.
//  2. Leases whose checkpoint is due are checkpointed through
//     Config.Checkpoint (at most CheckpointRate per second), and the next
//     checkpoint is scheduled CheckpointInterval later. Tick waits for the
//     checkpoint to be applied; Renew of those leases waits too.
//
// Tick is called by one goroutine at a time (Run's, or a test's).
func (l *Lessor) Tick(ctx context.Context) {
	l.mu.Lock()
	if l.term == 0 {
		l.mu.Unlock()
		return
	}
	now := l.cfg.Clock.Now()
	elapsed := min(max(now.Sub(l.lastTick), 0), time.Second)
	l.lastTick = now
	expired := l.expiredLocked(now, budget(l.cfg.RevokeRate, elapsed))
	batch, cps := l.dueCheckpointsLocked(now, budget(l.cfg.CheckpointRate, elapsed))
	term := l.term
	l.mu.Unlock()

	if len(expired) > 0 {
		l.cfg.Revoke(term, expired)
	}
	if len(cps) == 0 {
		return
	}
	// An error leaves the checkpoint to the next interval; ErrStale or a
	// failed proposal mean this member is losing its leadership anyway.
	_ = l.cfg.Checkpoint(ctx, term, cps)
	l.mu.Lock()
	for _, it := range batch {
		close(it.cpBusy)
		it.cpBusy = nil
	}
	l.mu.Unlock()
}

// budget is how many leases rate per second allows in elapsed, at least 1.
func budget(rate int, elapsed time.Duration) int {
	return max(1, int(int64(rate)*int64(elapsed)/int64(time.Second)))
}

// expiredLocked returns up to limit expired leases whose check time has
// come, and sets each one's next check RetryInterval from now.
func (l *Lessor) expiredLocked(now time.Time, limit int) []int64 {
	var ids []int64
	for len(ids) < limit && l.expiries.Len() > 0 {
		it := l.expiries.items[0]
		if it.check.After(now) {
			break
		}
		if it.expiry.After(now) { // not expired after all: look again at expiry
			it.check = it.expiry
		} else {
			ids = append(ids, it.id)
			it.check = now.Add(l.cfg.RetryInterval)
		}
		heap.Fix(&l.expiries, 0)
	}
	return ids
}

// dueCheckpointsLocked returns up to limit leases whose checkpoint is due,
// with their remaining TTLs, marks them busy and schedules their next
// checkpoint. Expired leases and leases already being checkpointed are
// skipped until their next turn.
func (l *Lessor) dueCheckpointsLocked(now time.Time, limit int) ([]*item, []Checkpoint) {
	var batch []*item
	var cps []Checkpoint
	for len(cps) < limit && l.cps.Len() > 0 {
		it := l.cps.items[0]
		if it.due.After(now) {
			break
		}
		it.due = now.Add(l.cfg.CheckpointInterval)
		heap.Fix(&l.cps, 0)
		if it.cpBusy != nil || !it.expiry.After(now) {
			continue
		}
		it.cpSeq++
		it.cpBusy = make(chan struct{})
		batch = append(batch, it)
		cps = append(cps, Checkpoint{ID: it.id, Remaining: ceilMillis(it.expiry.Sub(now))})
	}
	return batch, cps
}

// itemQueue is a min-heap of items by one of their times, then by ID. An
// item belongs to two heaps at once, so each heap names the item field that
// tracks the item's index in it (-1 when absent).
type itemQueue struct {
	items []*item
	at    func(*item) time.Time
	pos   func(*item) *int
}

// Two queues of the Lessor: every item by its next check time, and items
// with long TTLs by their checkpoint due time.
func newExpiryQueue(n int) itemQueue {
	return itemQueue{items: make([]*item, 0, n), at: func(it *item) time.Time { return it.check }, pos: func(it *item) *int { return &it.ei }}
}

func newCheckpointQueue() itemQueue {
	return itemQueue{at: func(it *item) time.Time { return it.due }, pos: func(it *item) *int { return &it.ci }}
}

func (q *itemQueue) Len() int { return len(q.items) }
func (q *itemQueue) Less(i, j int) bool {
	a, b := q.at(q.items[i]), q.at(q.items[j])
	if !a.Equal(b) {
		return a.Before(b)
	}
	return q.items[i].id < q.items[j].id
}
func (q *itemQueue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	*q.pos(q.items[i]), *q.pos(q.items[j]) = i, j
}
func (q *itemQueue) Push(x any) {
	it := x.(*item)
	*q.pos(it) = len(q.items)
	q.items = append(q.items, it)
}
func (q *itemQueue) Pop() any {
	old := q.items
	it := old[len(old)-1]
	old[len(old)-1] = nil
	q.items = old[:len(old)-1]
	*q.pos(it) = -1
	return it
}
