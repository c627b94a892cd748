package raftnode

import (
	"context"
	"encoding/binary"

	"go.etcd.io/raft/v3"
)

// readRetryTicks is how many ticks a ReadIndex request may stay unanswered
// before it is asked again (raft drops it silently when there is no leader
// or the leader changes).
const readRetryTicks = 5

type readResult struct {
	index uint64
	err   error
}

// ReadIndex returns a log index such that, once the state machine has
// applied it (WaitApplied), a read of local state is linearizable. Callers
// arriving together share one ReadIndex round trip.
func (n *Node) ReadIndex(ctx context.Context) (uint64, error) {
	ch := make(chan readResult, 1)
	select {
	case n.readc <- ch:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-n.done:
		return 0, ErrStopped
	}
	select {
	case r := <-ch:
		return r.index, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-n.done:
		return 0, ErrStopped
	}
}

// readBatcher groups read requests into ReadIndex rounds. It is owned by the
// loop goroutine. At most one round is in flight: requests that arrive while
// it is out wait for the next round, because a round asked before a request
// arrived cannot prove that request's read is current.
type readBatcher struct {
	waiting  []chan readResult
	inflight []chan readResult
	seq      uint64 // identifies the round in flight
	ticks    int    // ticks since the round in flight was asked
}

func newReadBatcher() *readBatcher { return &readBatcher{} }

func (b *readBatcher) add(ch chan readResult) { b.waiting = append(b.waiting, ch) }

// issue starts a round for the waiting requests if none is in flight.
func (b *readBatcher) issue(rn *raft.RawNode) {
	if len(b.inflight) > 0 || len(b.waiting) == 0 {
		return
	}
	b.inflight, b.waiting = b.waiting, nil
	b.ask(rn)
}

func (b *readBatcher) ask(rn *raft.RawNode) {
	b.seq++
	b.ticks = 0
	var rctx [8]byte
	binary.BigEndian.PutUint64(rctx[:], b.seq)
	rn.ReadIndex(rctx[:])
}

// tick re-asks a round that has gone unanswered for too long.
func (b *readBatcher) tick(rn *raft.RawNode) {
	if len(b.inflight) == 0 {
		return
	}
	b.ticks++
	if b.ticks >= readRetryTicks {
		b.ask(rn)
	}
}

// resolve answers the round in flight when its read state arrives.
func (b *readBatcher) resolve(states []raft.ReadState) {
	for _, rs := range states {
		if len(rs.RequestCtx) != 8 || binary.BigEndian.Uint64(rs.RequestCtx) != b.seq || len(b.inflight) == 0 {
			continue
		}
		for _, ch := range b.inflight {
			ch <- readResult{index: rs.Index}
		}
		b.inflight = nil
	}
}

func (b *readBatcher) failAll(err error) {
	for _, ch := range append(b.waiting, b.inflight...) {
		ch <- readResult{err: err}
	}
	b.waiting, b.inflight = nil, nil
}
