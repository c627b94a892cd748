package transport

import (
	"math/rand/v2"
	"sync"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

// Faults decides the fate of each outbound message; it is the seam through
// which tests simulate an unreliable network. Send calls Verdict once per
// message, on the goroutine calling Send and before queueing, with the
// sending member as from. Verdict must not modify m or keep it, must be
// safe for concurrent use (several Transports may share one Faults), must
// be quick, since Send waits for it, and must not call the Transport.
//
// A dropped message vanishes as if lost on the wire (a dropped MsgSnap is
// still reported as SnapshotFailure, since raft would otherwise wait for it
// forever). A delayed message is written no sooner than delay after Send,
// and never before messages queued earlier on the same link, so a delay
// reorders nothing and holds back no other link.
type Faults interface {
	Verdict(from, to uint64, m *raftpb.Message) (drop bool, delay time.Duration)
}

// link is one direction between two members.
type link struct{ from, to uint64 }

// LinkFaults is a ready Faults for tests: a network whose links can be cut
// one direction at a time, members isolated, groups partitioned, and links
// made lossy or slow. Share one LinkFaults between all Transports of a test
// cluster. The zero value is not usable; call NewLinkFaults.
//
// Cuts, isolation and a drop probability of 1 all drop; a message that
// survives them gets its link's delay.
type LinkFaults struct {
	mu       sync.Mutex // protects the following fields
	rng      *rand.Rand
	cut      map[link]bool
	isolated map[uint64]bool
	dropP    map[link]float64
	delay    map[link]time.Duration
}

var _ Faults = (*LinkFaults)(nil)

// NewLinkFaults returns a healthy network whose random drops are drawn from
// a generator seeded with seed, so a test that sends the same messages in
// the same order sees the same drops.
func NewLinkFaults(seed uint64) *LinkFaults {
	f := &LinkFaults{rng: rand.New(rand.NewPCG(seed, seed))}
	f.healLocked()
	return f
}

// Cut drops every message from from to to; the other direction is untouched.
func (f *LinkFaults) Cut(from, to uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cut[link{from, to}] = true
}

// Isolate drops every message from id and to id, whoever the other end is.
func (f *LinkFaults) Isolate(id uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.isolated[id] = true
}

// Partition cuts both directions between every member of a and every member
// of b. Links within a group are untouched.
func (f *LinkFaults) Partition(a, b []uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range a {
		for _, y := range b {
			f.cut[link{x, y}] = true
			f.cut[link{y, x}] = true
		}
	}
}

// SetDrop makes the link from from to to drop each message with
// probability p, clamped to [0, 1]; 0 makes it lossless again.
func (f *LinkFaults) SetDrop(from, to uint64, p float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p = min(max(p, 0), 1)
	if p == 0 {
		delete(f.dropP, link{from, to})
		return
	}
	f.dropP[link{from, to}] = p
}

// SetDelay holds each message on the link from from to to for d before it
// is written; d <= 0 removes the delay.
func (f *LinkFaults) SetDelay(from, to uint64, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d <= 0 {
		delete(f.delay, link{from, to})
		return
	}
	f.delay[link{from, to}] = d
}

// Heal restores a healthy network: it removes every cut, isolation,
// partition, drop probability and delay. Messages dropped before Heal stay
// lost; messages already delayed are still delivered after their delay.
func (f *LinkFaults) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healLocked()
}

func (f *LinkFaults) healLocked() {
	f.cut = make(map[link]bool)
	f.isolated = make(map[uint64]bool)
	f.dropP = make(map[link]float64)
	f.delay = make(map[link]time.Duration)
}

// Verdict implements Faults.
func (f *LinkFaults) Verdict(from, to uint64, _ *raftpb.Message) (drop bool, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := link{from, to}
	if f.cut[l] || f.isolated[from] || f.isolated[to] {
		return true, 0
	}
	if p := f.dropP[l]; p > 0 && f.rng.Float64() < p {
		return true, 0
	}
	return false, f.delay[l]
}
