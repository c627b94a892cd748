package mvcc

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/google/btree"
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// SortOrder is the order of a Range's results; the values match etcd's
// RangeRequest.SortOrder.
type SortOrder int32

const (
	SortNone SortOrder = iota
	SortAscend
	SortDescend
)

// SortTarget is the field a Range sorts by; the values match etcd's
// RangeRequest.SortTarget.
type SortTarget int32

const (
	SortByKey SortTarget = iota
	SortByVersion
	SortByCreate
	SortByMod
	SortByValue
)

// RangeOptions shape a Range, with etcd's RangeRequest semantics. Zero
// values mean "no limit", "latest revision", "ascending by key", "with
// values" and "no filter".
type RangeOptions struct {
	// Limit caps the number of KVs returned; 0 means no limit.
	Limit int64
	// Rev is the revision to read at; <= 0 means the current revision.
	Rev int64
	// Sort and SortBy order the results. With SortByKey, SortNone means
	// ascending; with any other target SortNone means SortAscend. Ties keep
	// ascending key order.
	Sort   SortOrder
	SortBy SortTarget
	// KeysOnly omits values. CountOnly returns no KVs, only Count.
	KeysOnly, CountOnly bool
	// MinModRev, MaxModRev, MinCreateRev and MaxCreateRev, when non-zero,
	// drop keys whose mod or create revision lies outside the bound.
	MinModRev, MaxModRev, MinCreateRev, MaxCreateRev int64
}

// RangeResult is the answer to a Range.
type RangeResult struct {
	// KVs are the matching keys after filters, sorting and Limit. They
	// share their Key and Value slices with the store: read-only.
	KVs []*mvccpb.KeyValue
	// Count is the number of keys in the range at the read revision,
	// regardless of Limit and of the Min/Max filters (as in etcd).
	Count int64
	// More reports that Limit cut off keys that passed the filters.
	More bool
	// Rev is the store's revision when the read was served (etcd's header
	// revision), not the revision read at.
	Rev int64
}

// Range reads the keys in [key, end) as of o.Rev. The range follows etcd's
// rules: an empty end means the single key; end "\x00" means every key >=
// key (so key "\x00" or "" with end "\x00" means every key); an end not
// after key selects nothing. Range fails with ErrFutureRev when o.Rev is
// above Rev() and with ErrCompacted when it is below CompactRev(); reading
// at exactly CompactRev() works, because compaction keeps that state.
// Range may be called from any goroutine.
func (s *Store) Range(key, end []byte, o RangeOptions) (RangeResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rev, err := s.readRevLocked(o.Rev)
	if err != nil {
		return RangeResult{}, err
	}
	return rangeAt(s.tree, key, end, rev, s.rev, &o), nil
}

// ascend calls fn on each item in etcd's range [key, end) in key order
// until fn returns false.
func ascend(t *btree.BTreeG[keyItem], key, end []byte, fn func(keyItem) bool) {
	switch {
	case len(end) == 0:
		if it, ok := t.Get(keyItem{key: key}); ok {
			fn(it)
		}
	case len(end) == 1 && end[0] == 0:
		t.AscendGreaterOrEqual(keyItem{key: key}, fn)
	case bytes.Compare(key, end) < 0:
		t.AscendRange(keyItem{key: key}, keyItem{key: end}, fn)
	}
}

// rangeAt serves a range read of t as of revision rev; cur is reported as
// the result's revision.
func rangeAt(t *btree.BTreeG[keyItem], key, end []byte, rev, cur int64, o *RangeOptions) RangeResult {
	res := RangeResult{Rev: cur}
	sorted := o.sorted()
	keepAll := o.Limit <= 0 || sorted
	var kvs []mvccpb.KeyValue
	var matched int64
	ascend(t, key, end, func(it keyItem) bool {
		r, ok := it.at(rev)
		if !ok {
			return true
		}
		res.Count++
		if o.CountOnly || !o.admits(&r) {
			return true
		}
		matched++
		if keepAll || int64(len(kvs)) < o.Limit {
			kvs = append(kvs, r.keyValue(it.key))
		}
		return true
	})
	if len(kvs) == 0 {
		return res
	}
	res.KVs = make([]*mvccpb.KeyValue, len(kvs))
	for i := range kvs {
		res.KVs[i] = &kvs[i]
	}
	if sorted {
		slices.SortStableFunc(res.KVs, o.compareKVs)
	}
	if o.Limit > 0 && matched > o.Limit {
		res.More = true
		res.KVs = res.KVs[:o.Limit]
	}
	if o.KeysOnly { // after sorting, which may be by value
		for _, kv := range res.KVs {
			kv.Value = nil
		}
	}
	return res
}

// admits reports whether r passes the Min/Max revision filters.
func (o *RangeOptions) admits(r *record) bool {
	return (o.MinModRev == 0 || r.mod >= o.MinModRev) &&
		(o.MaxModRev == 0 || r.mod <= o.MaxModRev) &&
		(o.MinCreateRev == 0 || r.create >= o.MinCreateRev) &&
		(o.MaxCreateRev == 0 || r.create <= o.MaxCreateRev)
}

// sorted reports whether results need sorting: the tree already yields
// ascending key order.
func (o *RangeOptions) sorted() bool {
	return o.SortBy != SortByKey || o.Sort == SortDescend
}

// compareKVs orders two results by o's target and direction.
func (o *RangeOptions) compareKVs(a, b *mvccpb.KeyValue) int {
	var c int
	switch o.SortBy {
	case SortByKey:
		c = bytes.Compare(a.Key, b.Key)
	case SortByVersion:
		c = cmp.Compare(a.Version, b.Version)
	case SortByCreate:
		c = cmp.Compare(a.CreateRevision, b.CreateRevision)
	case SortByMod:
		c = cmp.Compare(a.ModRevision, b.ModRevision)
	case SortByValue:
		c = bytes.Compare(a.Value, b.Value)
	}
	if o.Sort == SortDescend {
		return -c
	}
	return c
}
