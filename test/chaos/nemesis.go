package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/concordkv/concord/test/cluster"
)

// injection is a fault in progress.
type injection struct {
	desc string
	undo func()
	// verify, when set, checks after recovery that the fault did what it
	// meant to (a torn WAL tail was found and repaired).
	verify func() error
}

// fault is one kind of fault in the catalogue.
type fault struct {
	name   string
	weight int // relative frequency
	min    int // fewest members it needs
	hold   [2]time.Duration
	// inject starts the fault. On an error it returns what undoes what it
	// did so far.
	inject func(b *testbed, rng *rand.Rand) (injection, error)
}

// catalogue lists every fault the nemesis draws from. No fault takes down
// or pauses more than a minority of members, except kill-all, which kills
// every member at once and restarts them, as a power cut would.
var catalogue = []fault{
	{"kill-leader", 3, 3, [2]time.Duration{200 * time.Millisecond, 3 * time.Second}, kill(leaderOrAny, false)},
	{"kill-follower", 2, 3, [2]time.Duration{200 * time.Millisecond, 3 * time.Second}, kill(follower, false)},
	{"kill-minority", 1, 5, [2]time.Duration{200 * time.Millisecond, 3 * time.Second}, kill(minority, false)},
	{"kill-torn-wal", 2, 3, [2]time.Duration{200 * time.Millisecond, 2 * time.Second}, kill(anyMember, true)},
	{"kill-all", 1, 3, [2]time.Duration{100 * time.Millisecond, time.Second}, kill(everyMember, false)},
	{"pause-leader", 3, 3, [2]time.Duration{2 * election, 6 * election}, pause(leaderOrAny)},
	{"pause-follower", 1, 3, [2]time.Duration{2 * election, 6 * election}, pause(follower)},
	{"isolate-leader", 3, 3, [2]time.Duration{time.Second, 4 * time.Second}, isolateLeader},
	{"partition-split", 2, 3, [2]time.Duration{time.Second, 4 * time.Second}, split},
	{"partition-bridge", 2, 3, [2]time.Duration{time.Second, 4 * time.Second}, bridge},
	{"one-way-leader", 2, 3, [2]time.Duration{time.Second, 4 * time.Second}, oneWayLeader},
	{"delay", 2, 3, [2]time.Duration{2 * time.Second, 5 * time.Second}, delay},
	{"loss", 2, 3, [2]time.Duration{2 * time.Second, 5 * time.Second}, loss},
}

// faultByName returns the catalogue's fault called name.
func faultByName(name string) fault {
	for _, f := range catalogue {
		if f.name == name {
			return f
		}
	}
	panic("chaos: no fault " + name)
}

// recoveryTimeout bounds the wait for a write through every member after a
// fault is undone; a cluster that takes longer has a liveness bug.
const recoveryTimeout = time.Minute

// nemesis injects one fault at a time, drawn from the catalogue with rng,
// until its context ends: a quiet spell, the fault, its hold, undo, then a
// wait until a write through every member succeeds, which it times.
type nemesis struct {
	b          *testbed
	rng        *rand.Rand
	counts     map[string]int
	recoveries []time.Duration
	problems   []string // failures that are not a checker's: no recovery, a crash
}

func newNemesis(b *testbed) *nemesis {
	return &nemesis{b: b, counts: map[string]int{}}
}

// reseed starts the draws of epoch k of the run with the given seed, so
// that each epoch's schedule depends on the seed alone, not on how many
// faults earlier epochs had time for.
func (n *nemesis) reseed(seed uint64, k int) { n.rng = rand.New(rand.NewPCG(seed, uint64(k))) }

// run injects faults until ctx is done. The fault under way when ctx ends
// is still undone and recovered from.
func (n *nemesis) run(ctx context.Context) {
	for sleep(ctx, between(n.rng, 300*time.Millisecond, 1500*time.Millisecond)) {
		n.once(ctx, n.pick())
	}
}

// pick draws a fault by weight among those the cluster is large enough for.
func (n *nemesis) pick() fault {
	var fits []fault
	total := 0
	for _, f := range catalogue {
		if n.b.size() >= f.min {
			fits = append(fits, f)
			total += f.weight
		}
	}
	r := n.rng.IntN(total)
	for _, f := range fits {
		if r -= f.weight; r < 0 {
			return f
		}
	}
	panic("unreachable")
}

// once injects f, holds it (shorter if ctx ends), undoes it and waits for
// recovery.
func (n *nemesis) once(ctx context.Context, f fault) {
	inj, err := f.inject(n.b, n.rng)
	if err != nil {
		n.problem("%s: %v", f.name, err)
	} else {
		n.counts[f.name]++
		n.b.logf("fault %s: %s", f.name, inj.desc)
		sleep(ctx, between(n.rng, f.hold[0], f.hold[1]))
	}
	if inj.undo != nil {
		inj.undo()
	}
	if d, ok := n.recover(f.name); ok {
		n.recoveries = append(n.recoveries, d)
		n.b.logf("healed %s; recovered in %v", f.name, d.Round(time.Millisecond))
	}
	if err == nil && inj.verify != nil {
		if err := inj.verify(); err != nil {
			n.problem("%s: %v", f.name, err)
		}
	}
}

// recover waits for a write through every member and returns how long
// that took; members that crashed meanwhile are reported and restarted.
func (n *nemesis) recover(after string) (time.Duration, bool) {
	d, err := n.b.awaitRecovery(recoveryTimeout)
	for _, c := range n.b.crashed() {
		n.problem("after %s: %s", after, c)
	}
	if err != nil {
		n.problem("no recovery within %v after %s: %v", recoveryTimeout, after, err)
		return 0, false
	}
	return d, true
}

func (n *nemesis) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	n.problems = append(n.problems, p)
	n.b.logf("PROBLEM: %s", p)
}

// Victim choices. Each returns distinct member indexes, and draws the same
// number of values from rng whoever leads, so that a replayed seed draws
// the same faults in the same order.

func leaderOrAny(b *testbed, rng *rand.Rand) []int {
	drawn := rng.IntN(b.size())
	if l := b.leader(); l >= 0 {
		return []int{l}
	}
	return []int{drawn}
}

func follower(b *testbed, rng *rand.Rand) []int {
	k := rng.IntN(b.size() - 1)
	if l := b.leader(); l >= 0 && k >= l {
		k++ // the k-th member that is not the leader
	}
	return []int{k}
}

func anyMember(b *testbed, rng *rand.Rand) []int { return []int{rng.IntN(b.size())} }

func minority(b *testbed, rng *rand.Rand) []int { return rng.Perm(b.size())[:(b.size()-1)/2] }

func everyMember(b *testbed, _ *rand.Rand) []int { return allMembers(b.size()) }

// allMembers returns 0..n-1.
func allMembers(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// kill SIGKILLs the chosen members and restarts them on undo; with torn,
// it first leaves a torn write at the end of each one's WAL and, after
// recovery, checks that the member's log reports repairing it.
func kill(pick func(*testbed, *rand.Rand) []int, torn bool) func(*testbed, *rand.Rand) (injection, error) {
	return func(b *testbed, rng *rand.Rand) (injection, error) {
		victims := pick(b, rng)
		logStart := make([]int, len(victims))
		var descs []string
		for k, v := range victims {
			b.kill(v)
			logStart[k] = len(b.procs.Log(v))
			descs = append(descs, b.procs.Name(v))
		}
		inj := injection{undo: func() {
			for _, v := range victims {
				b.restart(v)
			}
		}}
		if torn {
			for _, v := range victims {
				tear, err := cluster.TearWALTail(b.procs.DataDir(v), rng)
				if err != nil {
					return inj, err
				}
				descs = append(descs, "tore "+tear.String())
			}
			inj.verify = func() error {
				for k, v := range victims {
					if !strings.Contains(b.procs.Log(v)[logStart[k]:], "torn tail") {
						return fmt.Errorf("%s restarted without reporting a torn WAL tail", b.procs.Name(v))
					}
				}
				return nil
			}
		}
		inj.desc = strings.Join(descs, ", ")
		return inj, nil
	}
}

// pause SIGSTOPs the chosen member for longer than an election timeout, so
// that the others elect a new leader while it sleeps, and SIGCONTs it on
// undo: a paused leader wakes believing it still leads, and must neither
// serve a stale read nor act on a lease that expired meanwhile.
func pause(pick func(*testbed, *rand.Rand) []int) func(*testbed, *rand.Rand) (injection, error) {
	return func(b *testbed, rng *rand.Rand) (injection, error) {
		v := pick(b, rng)[0]
		b.procs.Pause(v)
		return injection{desc: b.procs.Name(v), undo: func() { b.procs.Resume(v) }}, nil
	}
}

// cutBetween cuts every link between the groups, both ways.
func cutBetween(b *testbed, x, y []int) {
	for _, i := range x {
		for _, j := range y {
			b.net.Cut(i, j)
			b.net.Cut(j, i)
		}
	}
}

func (b *testbed) names(members []int) string {
	var s []string
	for _, m := range members {
		s = append(s, b.procs.Name(m))
	}
	return "{" + strings.Join(s, " ") + "}"
}

func without(all []int, x int) []int {
	var out []int
	for _, m := range all {
		if m != x {
			out = append(out, m)
		}
	}
	return out
}

func healNet(b *testbed) func() { return b.net.HealAll }

func isolateLeader(b *testbed, rng *rand.Rand) (injection, error) {
	v := leaderOrAny(b, rng)[0]
	cutBetween(b, []int{v}, without(allMembers(b.size()), v))
	return injection{desc: "isolated " + b.procs.Name(v), undo: healNet(b)}, nil
}

// split cuts a random minority off from the majority.
func split(b *testbed, rng *rand.Rand) (injection, error) {
	perm := rng.Perm(b.size())
	k := 1 + rng.IntN((b.size()-1)/2)
	cutBetween(b, perm[:k], perm[k:])
	return injection{desc: b.names(perm[:k]) + " | " + b.names(perm[k:]), undo: healNet(b)}, nil
}

// bridge splits the others in two halves that cannot reach each other and
// leaves one member connected to both.
func bridge(b *testbed, rng *rand.Rand) (injection, error) {
	perm := rng.Perm(b.size())
	rest := perm[1:]
	k := 1 + rng.IntN(len(rest)-1)
	cutBetween(b, rest[:k], rest[k:])
	return injection{desc: b.names(rest[:k]) + " | " + b.names(rest[k:]) + " bridged by " + b.procs.Name(perm[0]), undo: healNet(b)}, nil
}

// oneWayLeader cuts what the leader sends, or what it receives, but not
// both.
func oneWayLeader(b *testbed, rng *rand.Rand) (injection, error) {
	v := leaderOrAny(b, rng)[0]
	out := rng.IntN(2) == 0
	for _, j := range without(allMembers(b.size()), v) {
		if out {
			b.net.Cut(v, j)
		} else {
			b.net.Cut(j, v)
		}
	}
	dir := "receives nothing"
	if out {
		dir = "sends nothing"
	}
	return injection{desc: b.procs.Name(v) + " " + dir, undo: healNet(b)}, nil
}

// degrade applies delay, jitter and loss to every link of one member, or
// to every link.
func degrade(b *testbed, rng *rand.Rand, d, jitter time.Duration, loss float64) string {
	who := rng.IntN(b.size() + 1)
	for i := range b.size() {
		for j := range b.size() {
			if i != j && (who == b.size() || i == who || j == who) {
				b.net.Degrade(i, j, d, jitter, loss)
			}
		}
	}
	if who == b.size() {
		return "every link"
	}
	return "links of " + b.procs.Name(who)
}

func delay(b *testbed, rng *rand.Rand) (injection, error) {
	d := between(rng, 20*time.Millisecond, 200*time.Millisecond)
	j := between(rng, 0, 50*time.Millisecond)
	where := degrade(b, rng, d, j, 0)
	return injection{desc: fmt.Sprintf("%v (+%v jitter) on %s", d, j, where), undo: healNet(b)}, nil
}

func loss(b *testbed, rng *rand.Rand) (injection, error) {
	p := 0.02 + 0.2*rng.Float64()
	where := degrade(b, rng, 0, 0, p)
	return injection{desc: fmt.Sprintf("%.0f%% of chunks break the stream on %s", 100*p, where), undo: healNet(b)}, nil
}

// between returns a duration drawn uniformly from [lo, hi].
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}

// sleep waits for d and reports true, or reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
