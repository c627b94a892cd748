package lease

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var ctx = context.Background()

func wantReports(t *testing.T, got []report, want ...report) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reports = %v, want %v", got, want)
	}
}

func remaining(t *testing.T, l *Lessor, id int64) int64 {
	t.Helper()
	_, rem, err := l.Remaining(id)
	if err != nil {
		t.Fatalf("Remaining(%x): %v", id, err)
	}
	return rem
}

func TestLessorExpiry(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	c.autoRevoke = false
	c.lead(0, false)
	c.grant(1, 2000)
	c.grant(2, 5000)
	l := c.members[0].lessor

	c.advance(1999 * time.Millisecond)
	wantReports(t, c.tick(0))
	if rem := remaining(t, l, 1); rem != 1 {
		t.Fatalf("remaining = %d ms, want 1", rem)
	}
	c.advance(time.Millisecond)
	wantReports(t, c.tick(0), report{1, []int64{1}})
	if _, err := l.Renew(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Renew of an expired lease = %v, want ErrNotFound", err)
	}
	// not applied: reported again RetryInterval (3 s) later, with lease 2
	// (a tick 1 ms after the last may report one lease)
	c.advance(2999 * time.Millisecond)
	wantReports(t, c.tick(0))
	c.advance(time.Millisecond)
	wantReports(t, c.tick(0), report{1, []int64{1}})
	wantReports(t, c.tick(0), report{1, []int64{2}})
	c.revokeNow(1)
	c.revokeNow(2)
	c.advance(time.Minute)
	wantReports(t, c.tick(0))
	if _, _, err := l.Remaining(1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Remaining of a revoked lease = %v", err)
	}
}

func TestLessorRenew(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	l := c.members[0].lessor
	c.grant(1, 2000)
	if _, err := l.Renew(ctx, 1); !errors.Is(err, ErrNotPrimary) {
		t.Fatalf("Renew before Promote = %v", err)
	}
	c.lead(0, false)
	for range 10 { // keep it alive for 10 TTLs
		c.advance(1500 * time.Millisecond)
		wantReports(t, c.tick(0))
		if ttl, err := l.Renew(ctx, 1); err != nil || ttl != 2000 {
			t.Fatalf("Renew = %d, %v", ttl, err)
		}
		if rem := remaining(t, l, 1); rem != 2000 {
			t.Fatalf("remaining after renew = %d", rem)
		}
	}
	if _, err := l.Renew(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Renew(unknown) = %v", err)
	}
	c.advance(2 * time.Second)
	wantReports(t, c.tick(0), report{1, []int64{1}})
	if c.members[0].table.Exists(1) {
		t.Fatal("expired lease not revoked")
	}
	c.members[0].lessor.Demote()
	if _, err := l.Renew(ctx, 1); !errors.Is(err, ErrNotPrimary) {
		t.Fatalf("Renew after Demote = %v", err)
	}
	if _, _, err := l.Remaining(1); !errors.Is(err, ErrNotPrimary) {
		t.Fatalf("Remaining after Demote = %v", err)
	}
}

func TestLessorGrantWhilePrimaryAndExtend(t *testing.T) {
	c := newCluster(t, 1, Config{Extend: time.Second}, true)
	c.grant(1, 2000)
	c.lead(0, false)
	l := c.members[0].lessor
	if rem := remaining(t, l, 1); rem != 3000 {
		t.Fatalf("after Promote with Extend: %d ms, want 3000", rem)
	}
	c.advance(500 * time.Millisecond)
	c.grant(2, 2000) // granted while leading: full TTL from now, no Extend
	if rem := remaining(t, l, 2); rem != 2000 {
		t.Fatalf("granted while primary: %d ms", rem)
	}
	if l.Term() != 1 {
		t.Fatalf("Term = %d", l.Term())
	}
}

func TestLessorRevokeRateLimit(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	c.autoRevoke = false
	for id := range int64(3000) {
		c.grant(id+1, 2000)
	}
	c.lead(0, false)
	c.advance(2 * time.Second) // elapsed counts at most 1 s: 1000 leases
	r := c.tick(0)
	if len(r) != 1 || len(r[0].ids) != 1000 || r[0].ids[0] != 1 || r[0].ids[999] != 1000 {
		t.Fatalf("first tick reported %d calls, want leases 1..1000", len(r))
	}
	c.advance(500 * time.Millisecond)
	if r := c.tick(0); len(r[0].ids) != 500 || r[0].ids[0] != 1001 {
		t.Fatalf("second tick reported %d leases from %d, want 500 from 1001", len(r[0].ids), r[0].ids[0])
	}
	if r := c.tick(0); len(r[0].ids) != 1 { // no time passed: one
		t.Fatalf("tick without elapsed time reported %d", len(r[0].ids))
	}
}

func TestLessorCheckpoint(t *testing.T) {
	c := newCluster(t, 2, Config{CheckpointInterval: time.Minute}, true)
	const long, short = 600_000, 30_000
	c.grant(1, long)
	c.grant(2, short)
	c.lead(0, false)
	c.advance(time.Minute)
	wantReports(t, c.tick(0), report{1, []int64{2}})
	if got := c.checkpoints; fmt.Sprint(got) != "[[{1 540000}]]" {
		t.Fatalf("checkpoints = %v", got)
	}
	for _, m := range c.members {
		if ls, _ := m.table.Lookup(1); ls.Remaining != 540_000 {
			t.Fatalf("checkpointed remaining = %d", ls.Remaining)
		}
	}
	c.advance(30 * time.Second)
	old := remaining(t, c.members[0].lessor, 1) // 510 s
	c.lead(1, false)
	if got := remaining(t, c.members[1].lessor, 1); got != 540_000 || got < old {
		t.Fatalf("new leader gives %d ms, old had %d ms, checkpoint 540000", got, old)
	}
	// the new leader checkpoints on its own schedule
	c.advance(time.Minute)
	c.tick(1)
	if ls, _ := c.members[0].table.Lookup(1); ls.Remaining != 480_000 {
		t.Fatalf("second checkpoint = %d", ls.Remaining)
	}
}

func TestLessorWithoutCheckpoints(t *testing.T) {
	c := newCluster(t, 2, Config{CheckpointInterval: time.Minute}, false)
	c.grant(1, 600_000)
	c.lead(0, false)
	c.advance(5 * time.Minute)
	c.tick(0)
	c.lead(1, false)
	if got := remaining(t, c.members[1].lessor, 1); got != 600_000 {
		t.Fatalf("without checkpoints a new leader gives %d ms, want the full TTL", got)
	}
}

// TestRenewClearsCheckpoint: a renewal after a checkpoint clears it, so the
// next leader does not go back to the older, shorter remaining TTL.
func TestRenewClearsCheckpoint(t *testing.T) {
	c := newCluster(t, 2, Config{CheckpointInterval: time.Minute}, true)
	c.grant(1, 600_000)
	c.lead(0, false)
	c.advance(4 * time.Minute)
	for range 4 {
		c.advance(time.Minute)
		c.tick(0)
	}
	if ls, _ := c.members[1].table.Lookup(1); ls.Remaining != 120_000 {
		t.Fatalf("checkpoint = %d, want 120000", ls.Remaining)
	}
	if _, err := c.members[0].lessor.Renew(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ls, _ := c.members[1].table.Lookup(1); ls.Remaining != 0 {
		t.Fatalf("checkpoint after renew = %d, want cleared", ls.Remaining)
	}
	n := len(c.checkpoints)
	if _, err := c.members[0].lessor.Renew(ctx, 1); err != nil || len(c.checkpoints) != n {
		t.Fatalf("second renew: %v, %d checkpoint proposals (want none)", err, len(c.checkpoints)-n)
	}
	c.advance(30 * time.Second)
	c.lead(1, false)
	if got := remaining(t, c.members[1].lessor, 1); got != 600_000 {
		t.Fatalf("new leader gives %d ms, want 600000", got)
	}
}

// TestRenewWaitsForCheckpointInFlight: a renewal that races a periodic
// checkpoint waits for it and then clears it.
func TestRenewWaitsForCheckpointInFlight(t *testing.T) {
	c := newCluster(t, 1, Config{CheckpointInterval: time.Minute}, true)
	c.grant(1, 600_000)
	c.lead(0, false)
	l := c.members[0].lessor
	entered, release := make(chan struct{}), make(chan struct{})
	c.cpHook = func() { entered <- struct{}{}; <-release }
	c.advance(time.Minute)
	tickDone := make(chan struct{})
	go func() { l.Tick(ctx); close(tickDone) }()
	<-entered
	c.mu.Lock()
	c.cpHook = nil
	c.mu.Unlock()

	renewed := make(chan error, 1)
	go func() { _, err := l.Renew(ctx, 1); renewed <- err }()
	select {
	case err := <-renewed:
		t.Fatalf("Renew returned (%v) while a checkpoint was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-tickDone
	if err := <-renewed; err != nil {
		t.Fatal(err)
	}
	if ls, _ := c.members[0].table.Lookup(1); ls.Remaining != 0 {
		t.Fatalf("the checkpoint that raced the renewal survived: %d", ls.Remaining)
	}
	if rem := remaining(t, l, 1); rem != 600_000 {
		t.Fatalf("remaining = %d", rem)
	}
}

func TestRenewBlockedByCheckpointSeesDemote(t *testing.T) {
	c := newCluster(t, 1, Config{CheckpointInterval: time.Minute}, true)
	c.grant(1, 600_000)
	c.lead(0, false)
	l := c.members[0].lessor
	entered, release := make(chan struct{}), make(chan struct{})
	c.cpHook = func() { entered <- struct{}{}; <-release }
	c.advance(time.Minute)
	tickDone := make(chan struct{})
	go func() { l.Tick(ctx); close(tickDone) }()
	<-entered
	renewed := make(chan error, 1)
	go func() { _, err := l.Renew(ctx, 1); renewed <- err }()
	checkFor(t, "Renew to wait", func() bool { return len(renewed) == 0 && l.items[1].cpBusy != nil })
	l.Demote()
	if err := <-renewed; !errors.Is(err, ErrNotPrimary) {
		t.Fatalf("Renew after Demote = %v", err)
	}
	close(release)
	<-tickDone
}

// TestPausedLeader: a leader that is paused past a lease's expiry, wakes up
// unaware that it was deposed and reports the lease expired must not get
// it revoked: its revoke carries the old term and is ignored.
func TestPausedLeader(t *testing.T) {
	c := newCluster(t, 2, Config{}, true)
	c.grant(1, 5000)
	c.lead(0, false)
	c.advance(time.Second)
	c.lead(1, true) // member 0 is paused: no Demote
	for range 10 {  // the client keeps the lease alive at the new leader
		c.advance(2 * time.Second)
		if _, err := c.members[1].lessor.Renew(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	wantReports(t, c.tick(0), report{1, []int64{1}}) // old leader wakes up
	for i, m := range c.members {
		if !m.table.Exists(1) {
			t.Fatalf("member %d lost the lease to a deposed leader's revoke", i)
		}
	}
	wantReports(t, c.tick(1))
}

func TestTickInactive(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	c.grant(1, 2000)
	c.advance(time.Hour)
	wantReports(t, c.tick(0))
	c.lead(0, false)
	c.members[0].lessor.Demote()
	c.advance(time.Hour)
	wantReports(t, c.tick(0))
}

func TestRestoreWhilePrimary(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	c.grant(1, 10_000)
	c.grant(2, 10_000)
	c.lead(0, false)
	c.advance(4 * time.Second)
	src := NewTable()
	src.Grant(1, 10_000)
	src.Grant(3, 7_000)
	l := c.members[0].lessor
	if err := c.members[0].table.Restore(src.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if rem := remaining(t, l, 1); rem != 6000 {
		t.Fatalf("surviving lease: %d ms, want its old 6000", rem)
	}
	if rem := remaining(t, l, 3); rem != 7000 {
		t.Fatalf("new lease: %d ms, want 7000", rem)
	}
	if _, _, err := l.Remaining(2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dropped lease: %v", err)
	}
}

func TestRun(t *testing.T) {
	c := newCluster(t, 1, Config{}, true)
	c.grant(1, 2000)
	c.lead(0, false)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.members[0].lessor.Run(runCtx); close(done) }()
	for range 4 { // four ticks of 500 ms
		checkFor(t, "Run to wait on the clock", func() bool { return c.clock.Waiters() == 1 })
		c.advance(500 * time.Millisecond)
	}
	checkFor(t, "the expiry", func() bool { return !c.members[0].table.Exists(1) })
	cancel()
	<-done
}

// TestLeaderChangeNeverShortens runs random histories of grants, renewals,
// ticks (with checkpoints) and leader changes, some with an election delay,
// and checks at every change that each live lease has at least as much
// time left at the new leader as it had at the old one.
func TestLeaderChangeNeverShortens(t *testing.T) {
	ttls := []int64{2000, 30_000, 90_000, 600_000}
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 2))
		c := newCluster(t, 3, Config{CheckpointInterval: time.Minute, Extend: time.Duration(rng.IntN(2)) * time.Second}, true)
		leader := 0
		c.lead(leader, false)
		var ids []int64
		for step := range 400 {
			l := c.members[leader].lessor
			switch n := rng.IntN(20); {
			case n < 3:
				id := int64(step + 1)
				c.grant(id, ttls[rng.IntN(len(ttls))])
				ids = append(ids, id)
			case n < 9 && len(ids) > 0:
				id := ids[rng.IntN(len(ids))]
				if _, err := l.Renew(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
			case n < 16:
				c.advance(time.Duration(rng.Int64N(int64(40 * time.Second))))
				l.Tick(ctx)
			case n < 17:
				c.advance(time.Duration(rng.Int64N(int64(5 * time.Minute))))
				l.Tick(ctx)
			default:
				before := map[int64]int64{}
				for _, id := range ids {
					if _, rem, err := l.Remaining(id); err == nil && rem > 0 {
						before[id] = rem
					}
				}
				for _, m := range c.members {
					m.lessor.Demote()
				}
				c.advance(time.Duration(rng.Int64N(int64(3 * time.Second)))) // election
				leader = (leader + 1 + rng.IntN(2)) % 3
				c.lead(leader, false)
				for id, old := range before {
					_, now, err := c.members[leader].lessor.Remaining(id)
					if err != nil || now < old {
						t.Fatalf("seed %d step %d: lease %x had %d ms at the old leader, %d ms (%v) at the new", seed, step, id, old, now, err)
					}
				}
			}
			ids = slices.DeleteFunc(ids, func(id int64) bool { return !c.members[0].table.Exists(id) })
		}
	}
}

func BenchmarkRenew(b *testing.B) {
	c := newCluster(b, 1, Config{}, true)
	const n = 10_000
	for id := range int64(n) {
		c.grant(id+1, 60_000)
	}
	c.lead(0, false)
	l := c.members[0].lessor
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := l.Renew(ctx, int64(i%n)+1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenewParallel(b *testing.B) {
	c := newCluster(b, 1, Config{}, true)
	const n = 10_000
	for id := range int64(n) {
		c.grant(id+1, 60_000)
	}
	c.lead(0, false)
	l := c.members[0].lessor
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(n)
		for pb.Next() {
			if _, err := l.Renew(ctx, int64(i%n)+1); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
