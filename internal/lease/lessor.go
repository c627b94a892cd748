package lease

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// Config configures a Lessor. Zero durations and rates take the defaults
// named beside them (etcd's values).
type Config struct {
	// Clock is the Lessor's only source of time; nil means SystemClock().
	Clock Clock

	// Revoke is told of leases that expired, with the term the Lessor was
	// promoted in. The server proposes one RevokeRequest{ID, Term: term}
	// per lease and must not wait for them here: Revoke is called on the
	// goroutine running Tick. Required.
	Revoke func(term uint64, ids []int64)

	// Checkpoint replicates remaining TTLs as one
	// CheckpointRequest{Term: term, Checkpoints: cps} and waits until this
	// member applied it (propose-and-wait), returning the apply step's error
	// (ErrStale if the term had passed). It is called from Tick and from
	// Renew. nil disables checkpoints: every leader change then restarts
	// every lease at its full TTL.
	Checkpoint func(ctx context.Context, term uint64, cps []Checkpoint) error

	// CheckpointInterval (5 min) is how often the remaining TTL of a lease
	// whose TTL exceeds it is checkpointed.
	CheckpointInterval time.Duration
	// RevokeRate (1000/s) and CheckpointRate (1000/s) bound how many leases
	// Tick reports per second of clock time between ticks (at least one
	// per tick).
	RevokeRate, CheckpointRate int
	// RetryInterval (3 s) is how long after reporting an expired lease Tick
	// reports it again if its revoke has not been applied by then.
	RetryInterval time.Duration
	// TickInterval (500 ms) is how often Run calls Tick.
	TickInterval time.Duration
	// Extend (0) is added to every lease's remaining time on Promote,
	// giving clients time to find the new leader; etcd adds the election
	// timeout.
	Extend time.Duration
}

func (c *Config) setDefaults() {
	if c.Clock == nil {
		c.Clock = SystemClock()
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = 5 * time.Minute
	}
	if c.RevokeRate <= 0 {
		c.RevokeRate = 1000
	}
	if c.CheckpointRate <= 0 {
		c.CheckpointRate = 1000
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = 3 * time.Second
	}
	if c.TickInterval <= 0 {
		c.TickInterval = 500 * time.Millisecond
	}
}

// Lessor is the leader-only half of leases: the expiry time of every lease,
// kept by the member that leads, which turns expiries into revoke
// proposals. It is not replicated and holds nothing a new leader needs:
// Promote rebuilds it from the Table.
//
// A member has one Lessor, inactive until Promote and after Demote. The
// raft goroutine calls Promote once this member leads and has applied its
// term's first entry (so the Table includes every earlier checkpoint), and
// Demote as soon as it stops leading. One goroutine runs Run (or calls
// Tick); Renew and Remaining may be called from any goroutine. The Table
// tells the Lessor of grants, revokes and restores as they are applied.
//
// Expiry is only ever acted on through a proposal, and every revoke or
// checkpoint the Lessor causes carries its term: a leader that was paused
// (GC, stalled disk, a stopped VM) and wakes to find leases expired on its
// clock may propose revokes, but if it was deposed meanwhile, they either
// never commit or reach the log in a later term, where the apply step
// ignores them (Stale). Leases are never revoked on the word of a deposed
// leader.
//
// After a leader change, remaining time is renewed, never shortened: the
// new leader gives each lease its checkpointed remaining TTL if it has one,
// else its full TTL, counted from Promote. A checkpoint records at most the
// time that was left when it was measured (rounded up), and Renew clears a
// lease's checkpoint through raft before it extends the lease, so a
// checkpoint never understates what the old leader promised.
type Lessor struct {
	table *Table
	cfg   Config

	mu       sync.Mutex      // protects following fields
	term     uint64          // term of this member's leadership; 0 when inactive
	demoted  chan struct{}   // closed by Demote
	items    map[int64]*item // by lease ID
	expiries itemQueue       // every item, by next check time
	cps      itemQueue       // items with TTL > CheckpointInterval, by due time
	lastTick time.Time
}

// item is the Lessor's record of one lease.
type item struct {
	id     int64
	ttl    time.Duration
	expiry time.Time
	check  time.Time     // when Tick next looks at it: expiry, or a retry after reporting it
	ei     int           // index in Lessor.expiries
	due    time.Time     // next checkpoint
	ci     int           // index in Lessor.cps; -1 when not scheduled
	cpSeq  uint64        // checkpoints started by Tick
	cpBusy chan struct{} // non-nil while Tick's checkpoint of this lease is in flight; closed after
}

// NewLessor returns an inactive Lessor for table. A table has at most one
// Lessor.
func NewLessor(table *Table, cfg Config) *Lessor {
	if cfg.Revoke == nil {
		panic("lease: Config.Revoke is required")
	}
	cfg.setDefaults()
	l := &Lessor{table: table, cfg: cfg, expiries: newExpiryQueue(0), cps: newCheckpointQueue()}
	table.mu.Lock()
	defer table.mu.Unlock()
	if table.lessor != nil {
		panic("lease: table already has a lessor")
	}
	table.lessor = l
	return l
}

// Promote activates the Lessor for leadership term: every lease expires
// its checkpointed remaining TTL (or full TTL) plus Extend from now.
func (l *Lessor) Promote(term uint64) {
	l.table.mu.RLock()
	defer l.table.mu.RUnlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != 0 {
		close(l.demoted)
	}
	now := l.cfg.Clock.Now()
	l.term, l.demoted, l.lastTick = term, make(chan struct{}), now
	l.resetLocked(len(l.table.leases))
	for _, e := range l.table.leases {
		l.addLocked(e.Lease, now, l.cfg.Extend)
	}
}

// Demote deactivates the Lessor: Renew and Remaining answer ErrNotPrimary
// and Tick reports nothing until the next Promote. Renew calls waiting on
// a checkpoint return ErrNotPrimary.
func (l *Lessor) Demote() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == 0 {
		return
	}
	close(l.demoted)
	l.term, l.demoted = 0, nil
	l.resetLocked(0)
}

// Term returns the term the Lessor was promoted in, 0 when inactive.
func (l *Lessor) Term() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.term
}

// Renew restarts lease id's TTL and returns it in milliseconds. It fails
// with ErrNotPrimary when the Lessor is inactive (the caller forwards the
// renewal to the leader), ErrNotFound when the lease does not exist or has
// expired (its revoke is on its way; etcd answers TTL 0 to both), or the
// error of the checkpoint that clears a checkpointed remaining TTL first.
// That clearing (one raft round, at most once per CheckpointInterval per
// lease) is what keeps a new leader from restoring a checkpoint older than
// this renewal.
//
// An expired lease cannot be renewed even though its revoke has not been
// applied yet. If leadership moves before the revoke commits, the next
// leader starts the lease afresh, but its holder has already been told it
// is gone; it expires again unless renewed.
func (l *Lessor) Renew(ctx context.Context, id int64) (int64, error) {
	for tries := 0; ; tries++ {
		if tries == maxRenewTries {
			return 0, fmt.Errorf("lease: renew of %x raced with checkpoints %d times", id, tries)
		}
		l.mu.Lock()
		it, err := l.liveLocked(id)
		if err != nil {
			l.mu.Unlock()
			return 0, err
		}
		if busy := it.cpBusy; busy != nil {
			demoted := l.demoted
			l.mu.Unlock()
			if err := wait(ctx, busy, demoted); err != nil {
				return 0, err
			}
			continue
		}
		seq, term := it.cpSeq, l.term
		l.mu.Unlock()

		ls, ok := l.table.Lookup(id)
		if !ok {
			return 0, fmt.Errorf("%w: %x", ErrNotFound, id)
		}
		if ls.Remaining > 0 && l.cfg.Checkpoint != nil {
			if err := l.cfg.Checkpoint(ctx, term, []Checkpoint{{ID: id}}); err != nil {
				return 0, fmt.Errorf("lease: clear checkpoint of %x: %w", id, err)
			}
			continue // look again: anything may have happened meanwhile
		}

		l.mu.Lock()
		if cur, err := l.liveLocked(id); err != nil || cur != it || it.cpSeq != seq || it.cpBusy != nil || l.term != term {
			l.mu.Unlock()
			continue // a checkpoint started, or the lease or leadership changed
		}
		it.expiry = l.cfg.Clock.Now().Add(it.ttl)
		it.check = it.expiry
		heap.Fix(&l.expiries, it.ei)
		l.mu.Unlock()
		return it.ttl.Milliseconds(), nil
	}
}

// maxRenewTries bounds Renew's retries when checkpoints keep changing the
// lease under it (each try but the last normally succeeds).
const maxRenewTries = 16

// Remaining returns lease id's granted TTL and the time it has left, in
// milliseconds, as the leader sees them (the remaining time rounded up,
// 0 once expired). ErrNotPrimary when inactive, ErrNotFound when there is
// no such lease.
func (l *Lessor) Remaining(id int64) (ttl, remaining int64, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == 0 {
		return 0, 0, ErrNotPrimary
	}
	it, ok := l.items[id]
	if !ok {
		return 0, 0, fmt.Errorf("%w: %x", ErrNotFound, id)
	}
	return it.ttl.Milliseconds(), ceilMillis(it.expiry.Sub(l.cfg.Clock.Now())), nil
}

// liveLocked returns lease id if the Lessor is active and the lease exists
// and has not expired.
func (l *Lessor) liveLocked(id int64) (*item, error) {
	if l.term == 0 {
		return nil, ErrNotPrimary
	}
	it, ok := l.items[id]
	if !ok || !it.expiry.After(l.cfg.Clock.Now()) {
		return nil, fmt.Errorf("%w: %x", ErrNotFound, id)
	}
	return it, nil
}

func wait(ctx context.Context, done, demoted <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-demoted:
		return ErrNotPrimary
	case <-ctx.Done():
		return ctx.Err()
	}
}

// granted is called by the Table, under its lock, when a grant is applied.
func (l *Lessor) granted(ls Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != 0 {
		l.addLocked(ls, l.cfg.Clock.Now(), 0)
	}
}

// revoked is called by the Table, under its lock, when a revoke is applied.
func (l *Lessor) revoked(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	it, ok := l.items[id]
	if !ok {
		return
	}
	delete(l.items, id)
	heap.Remove(&l.expiries, it.ei)
	if it.ci >= 0 {
		heap.Remove(&l.cps, it.ci)
	}
}

// restored is called by the Table, under its lock, after a Restore: leases
// the Lessor knew keep their expiry, new ones start afresh.
func (l *Lessor) restored(leases map[int64]*entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == 0 {
		return
	}
	old := l.items
	now := l.cfg.Clock.Now()
	l.resetLocked(len(leases))
	for _, e := range leases {
		it := l.addLocked(e.Lease, now, 0)
		if o, ok := old[e.ID]; ok {
			// A Renew in progress sees the new cpSeq and starts over.
			it.expiry, it.check, it.cpSeq = o.expiry, o.check, o.cpSeq+1
			heap.Fix(&l.expiries, it.ei)
		}
	}
}

func (l *Lessor) resetLocked(n int) {
	l.items = make(map[int64]*item, n)
	l.expiries = newExpiryQueue(n)
	l.cps = newCheckpointQueue()
}

// addLocked starts tracking ls: it expires after its checkpointed
// remaining TTL (else its TTL) plus extend from now.
func (l *Lessor) addLocked(ls Lease, now time.Time, extend time.Duration) *item {
	left := ls.TTL
	if ls.Remaining > 0 {
		left = ls.Remaining
	}
	it := &item{id: ls.ID, ttl: time.Duration(ls.TTL) * time.Millisecond, ci: -1}
	it.expiry = now.Add(time.Duration(left)*time.Millisecond + extend)
	it.check = it.expiry
	l.items[ls.ID] = it
	heap.Push(&l.expiries, it)
	if l.cfg.Checkpoint != nil && it.ttl > l.cfg.CheckpointInterval {
		it.due = now.Add(l.cfg.CheckpointInterval)
		heap.Push(&l.cps, it)
	}
	return it
}

// ceilMillis converts d to milliseconds, rounding up; negative becomes 0.
func ceilMillis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
