package mvcc

import (
	"container/heap"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// Events returns the changes to keys in etcd's range [key, end) (the rules
// of Range) whose revision lies in [fromRev, toRev], in revision order and,
// within one revision, in the order the transaction made them. It is what
// the watch hub replays to a watcher that fell behind.
//
// Each event has the shape TxnResult.Events gives it: a PUT carries the new
// version, a DELETE a Kv with only the key and the deletion revision as
// ModRevision, and PrevKv is the version the change replaced, nil if the
// key did not exist before the change's revision. A transaction that wrote
// one key twice left one record for that revision (history.go), so history
// yields one event for it where the transaction reported two: the final
// state, at the position of the last write, with PrevKv from before the
// transaction. The etcd API forbids such transactions.
//
// limit <= 0 means no limit. Otherwise Events stops after the first
// revision that brings the count to limit or more, so a revision is never
// split and the result may hold more than limit events: with fewer than
// limit events the result is complete up to toRev, with limit or more it is
// complete up to its last event's revision only.
//
// fromRev below 1 reads from revision 1. Events fails with ErrCompacted when
// fromRev <= CompactRev() (compaction may have dropped a tombstone at the
// compaction revision, or the version a change replaced) and with
// ErrFutureRev when toRev > Rev(). The events share their Key and Value
// slices with the store: read-only. Events may be called from any
// goroutine; it holds the read lock while it visits every key in the range.
func (s *Store) Events(key, end []byte, fromRev, toRev int64, limit int) ([]mvccpb.Event, error) {
	fromRev = max(fromRev, 1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case fromRev <= s.compactRev:
		return nil, ErrCompacted
	case toRev > s.rev:
		return nil, ErrFutureRev
	case toRev < fromRev:
		return nil, nil
	}
	var m merger
	ascend(s.tree, key, end, func(it keyItem) bool {
		if i, hi := it.visible(fromRev-1)+1, it.visible(toRev)+1; i < hi {
			m.cursors = append(m.cursors, cursor{key: it.key, recs: it.recs[:hi], i: i})
		}
		return true
	})
	return m.merge(limit), nil
}

// A merger interleaves the windows of key histories into one sequence
// ordered by (revision, sub-revision), a min-heap of cursors ordered by
// their next record.
type merger struct {
	cursors []cursor
}

// cursor walks one key's records from i to the end of recs.
type cursor struct {
	key  []byte
	recs []record
	i    int
}

func (c *cursor) rec() *record { return &c.recs[c.i] }

func (m *merger) Len() int { return len(m.cursors) }
func (m *merger) Less(a, b int) bool {
	ra, rb := m.cursors[a].rec(), m.cursors[b].rec()
	return ra.mod < rb.mod || (ra.mod == rb.mod && ra.sub < rb.sub)
}
func (m *merger) Swap(a, b int) { m.cursors[a], m.cursors[b] = m.cursors[b], m.cursors[a] }
func (m *merger) Push(x any)    { m.cursors = append(m.cursors, x.(cursor)) }
func (m *merger) Pop() any {
	c := m.cursors[len(m.cursors)-1]
	m.cursors = m.cursors[:len(m.cursors)-1]
	return c
}

// merge renders the changes in order, stopping after the revision in which
// their count reaches limit (no limit when limit <= 0).
func (m *merger) merge(limit int) []mvccpb.Event {
	if len(m.cursors) == 0 {
		return nil
	}
	total := 0
	for i := range m.cursors {
		total += len(m.cursors[i].recs) - m.cursors[i].i
	}
	if limit > 0 {
		total = min(total, limit+16) // a guess at the last revision's overflow
	}
	// Growing kvs leaves earlier events pointing into the old array,
	// which still holds their (never again written) KeyValues.
	events := make([]mvccpb.Event, 0, total)
	kvs := make([]eventKVs, 0, total)
	heap.Init(m)
	var last int64
	for len(m.cursors) > 0 {
		c := &m.cursors[0]
		r := c.rec()
		if limit > 0 && len(events) >= limit && r.mod != last {
			break
		}
		last = r.mod
		events = append(events, mvccpb.Event{})
		kvs = append(kvs, eventKVs{})
		c.render(&events[len(events)-1], &kvs[len(kvs)-1])
		if c.i++; c.i == len(c.recs) { // exhausted: the last cursor takes its place
			last := len(m.cursors) - 1
			m.cursors[0] = m.cursors[last]
			m.cursors = m.cursors[:last]
		}
		if len(m.cursors) > 0 {
			heap.Fix(m, 0)
		}
	}
	return events
}

// render fills ev with the cursor's record, using kvs for its KeyValues.
func (c *cursor) render(ev *mvccpb.Event, kvs *eventKVs) {
	r := &c.recs[c.i]
	if r.tombstone() {
		kvs.kv = mvccpb.KeyValue{Key: c.key, ModRevision: r.mod}
		ev.Type = mvccpb.DELETE
	} else {
		kvs.kv = r.keyValue(c.key)
		ev.Type = mvccpb.PUT
	}
	ev.Kv = &kvs.kv
	if c.i > 0 && !c.recs[c.i-1].tombstone() {
		kvs.prev = c.recs[c.i-1].keyValue(c.key)
		ev.PrevKv = &kvs.prev
	}
}
