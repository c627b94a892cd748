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
	for len(ids) < limit && len(l.expiries) > 0 {
		it := l.expiries[0]
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
	for len(cps) < limit && len(l.cps) > 0 {
		it := l.cps[0]
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

// expiryQueue is a min-heap of items by check time (then ID).
type expiryQueue []*item

func (q expiryQueue) Len() int { return len(q) }
func (q expiryQueue) Less(i, j int) bool {
	if !q[i].check.Equal(q[j].check) {
		return q[i].check.Before(q[j].check)
	}
	return q[i].id < q[j].id
}
func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].ei, q[j].ei = i, j
}
func (q *expiryQueue) Push(x any) {
	it := x.(*item)
	it.ei = len(*q)
	*q = append(*q, it)
}
func (q *expiryQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	it.ei = -1
	return it
}

// checkpointQueue is a min-heap of items by checkpoint due time (then ID).
type checkpointQueue []*item

func (q checkpointQueue) Len() int { return len(q) }
func (q checkpointQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].id < q[j].id
}
func (q checkpointQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].ci, q[j].ci = i, j
}
func (q *checkpointQueue) Push(x any) {
	it := x.(*item)
	it.ci = len(*q)
	*q = append(*q, it)
}
func (q *checkpointQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	it.ci = -1
	return it
}
