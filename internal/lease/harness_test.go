package lease

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// cluster simulates the replicated side for Lessor tests: n members, each
// with a Table and a Lessor on one FakeClock, and a "log" that applies a
// command to every table at once, in the current term. Revokes and
// checkpoints proposed by a Lessor are applied unless Stale, as the apply
// step will do.
type cluster struct {
	t       testing.TB
	clock   *FakeClock
	members []*member

	mu          sync.Mutex // protects following fields
	term        uint64     // term in which the log appends now
	reports     []report   // every Revoke call
	autoRevoke  bool       // apply reported revokes at once
	checkpoints [][]Checkpoint
	cpHook      func() // called by Checkpoint before it applies, without mu
}

type member struct {
	table  *Table
	lessor *Lessor
}

type report struct {
	term uint64
	ids  []int64
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// newCluster builds n members; cfg's Clock, Revoke and Checkpoint are
// replaced (Checkpoint by nil unless checkpoints).
func newCluster(t testing.TB, n int, cfg Config, checkpoints bool) *cluster {
	c := &cluster{t: t, clock: NewFakeClock(epoch), autoRevoke: true}
	cfg.Clock, cfg.Revoke, cfg.Checkpoint = c.clock, c.revoke, nil
	if checkpoints {
		cfg.Checkpoint = c.checkpoint
	}
	for range n {
		tb := NewTable()
		c.members = append(c.members, &member{table: tb, lessor: NewLessor(tb, cfg)})
	}
	return c
}

func (c *cluster) apply(fn func(*Table)) {
	for _, m := range c.members {
		fn(m.table)
	}
}

func (c *cluster) grant(id, ttl int64) {
	c.t.Helper()
	c.apply(func(tb *Table) {
		if err := tb.Grant(id, ttl); err != nil {
			c.t.Fatal(err)
		}
	})
}

func (c *cluster) revokeNow(id int64) {
	c.apply(func(tb *Table) { tb.Revoke(id) })
}

func (c *cluster) revoke(term uint64, ids []int64) {
	c.mu.Lock()
	c.reports = append(c.reports, report{term, slices.Clone(ids)})
	apply := c.autoRevoke && !Stale(term, c.term)
	c.mu.Unlock()
	if apply {
		for _, id := range ids {
			c.revokeNow(id)
		}
	}
}

func (c *cluster) checkpoint(_ context.Context, term uint64, cps []Checkpoint) error {
	c.mu.Lock()
	hook := c.cpHook
	c.mu.Unlock()
	if hook != nil {
		hook()
	}
	c.mu.Lock()
	stale := Stale(term, c.term)
	c.checkpoints = append(c.checkpoints, slices.Clone(cps))
	c.mu.Unlock()
	if stale {
		return ErrStale
	}
	c.apply(func(tb *Table) { tb.Checkpoint(cps) })
	return nil
}

// lead makes member i the leader of a new term. The previous leader is
// demoted unless paused (it has not noticed).
func (c *cluster) lead(i int, paused bool) {
	if !paused {
		for _, m := range c.members {
			m.lessor.Demote()
		}
	}
	c.mu.Lock()
	c.term++
	term := c.term
	c.mu.Unlock()
	c.members[i].lessor.Promote(term)
}

// takeReports returns and forgets the Revoke calls so far.
func (c *cluster) takeReports() []report {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reports
	c.reports = nil
	return r
}

func (c *cluster) tick(i int) []report {
	c.members[i].lessor.Tick(context.Background())
	return c.takeReports()
}

func (c *cluster) advance(d time.Duration) { c.clock.Advance(d) }
