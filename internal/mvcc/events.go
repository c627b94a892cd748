package mvcc

import (
	"cmp"
	"slices"

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
	var changes []change
	ascend(s.tree, key, end, func(it keyItem) bool {
		for i := it.visible(fromRev-1) + 1; i < len(it.recs) && it.recs[i].mod <= toRev; i++ {
			changes = append(changes, change{key: it.key, recs: it.recs, i: i})
		}
		return true
	})
	slices.SortFunc(changes, func(a, b change) int {
		ra, rb := &a.recs[a.i], &b.recs[b.i]
		return cmp.Or(cmp.Compare(ra.mod, rb.mod), cmp.Compare(ra.sub, rb.sub))
	})
	changes = changes[:cutAtLimit(changes, limit)]
	if len(changes) == 0 {
		return nil, nil
	}
	events := make([]mvccpb.Event, len(changes))
	kvs := make([]eventKVs, len(changes))
	for j := range changes {
		changes[j].render(&events[j], &kvs[j])
	}
	return events, nil
}

// change is one record of a key's history, with its predecessor at i-1.
type change struct {
	key  []byte
	recs []record
	i    int
}

// render fills ev with the change, using kvs for its KeyValues.
func (c *change) render(ev *mvccpb.Event, kvs *eventKVs) {
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

// cutAtLimit returns how many of the sorted changes to keep: all of them,
// or those up to the end of the revision in which the count reaches limit.
func cutAtLimit(changes []change, limit int) int {
	if limit <= 0 || len(changes) <= limit {
		return len(changes)
	}
	n := limit
	last := changes[n-1].recs[changes[n-1].i].mod
	for n < len(changes) && changes[n].recs[changes[n].i].mod == last {
		n++
	}
	return n
}
