package transport

import (
	"context"
	"sync"

	"go.etcd.io/raft/v3"
)

// reporter makes the reports that Send owes to Raft from a goroutine of its
// own, so Raft is never called on the goroutine calling Send. Reports for
// one peer are merged while they wait: any number of overflows become one
// ReportUnreachable, so the backlog is bounded by the number of peers.
type reporter struct {
	raft Raft
	wake chan struct{} // capacity 1: a report is pending

	mu      sync.Mutex // protects pending
	pending map[uint64]owed
}

// owed is what has not yet been reported about one peer.
type owed struct {
	unreachable   bool
	snapshotsLost int // each owes a ReportSnapshot(SnapshotFailure)
}

func newReporter(r Raft) *reporter {
	return &reporter{raft: r, wake: make(chan struct{}, 1), pending: make(map[uint64]owed)}
}

// lost records that a message to id was dropped: a MsgSnap if snap, and
// because the peer could not take it if unreachable. It never blocks.
func (r *reporter) lost(id uint64, snap, unreachable bool) {
	if !snap && !unreachable {
		return
	}
	r.mu.Lock()
	o := r.pending[id]
	o.unreachable = o.unreachable || unreachable
	if snap {
		o.snapshotsLost++
	}
	r.pending[id] = o
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// run is the reporter goroutine; it returns when ctx is cancelled, leaving
// anything still pending unreported.
func (r *reporter) run(ctx context.Context) {
	for {
		select {
		case <-r.wake:
			r.flush()
		case <-ctx.Done():
			return
		}
	}
}

// flush makes every pending report.
func (r *reporter) flush() {
	r.mu.Lock()
	pending := r.pending
	r.pending = make(map[uint64]owed)
	r.mu.Unlock()
	for id, o := range pending {
		if o.unreachable {
			r.raft.ReportUnreachable(id)
		}
		for range o.snapshotsLost {
			r.raft.ReportSnapshot(id, raft.SnapshotFailure)
		}
	}
}
