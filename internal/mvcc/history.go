package mvcc

import (
	"bytes"
	"slices"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// A key's history is the list of its versions not yet compacted away,
// oldest first. A put appends a live record; a delete appends a tombstone.
// Worked example for one key "foo" (revisions are store-wide, so the gaps
// are writes to other keys):
//
//	rev 2  put foo=a   [{mod 2, create 2, ver 1, a}]
//	rev 4  put foo=b   [{2, 2, 1, a} {4, 2, 2, b}]
//	rev 5  delete foo  [{2, 2, 1, a} {4, 2, 2, b} {5, tombstone}]
//	rev 7  put foo=c   [{2, 2, 1, a} {4, 2, 2, b} {5, tombstone} {7, 7, 1, c}]
//
// The put at 7 starts a new incarnation: create revision 7, version 1.
// Reading foo at revision r picks the newest record with mod <= r: at 3 it
// is a (version 1), at 4 b (version 2), at 5 or 6 the tombstone, so foo is
// absent, and at 7 or later c.
//
// Compacting at revision c keeps, per key, the newest record with mod <= c
// (it still answers reads at c and later) and everything newer; that newest
// record is dropped too when it is a tombstone, since "absent" needs no
// record:
//
//	compact 4  [{4, 2, 2, b} {5, tombstone} {7, 7, 1, c}]  a is unreachable
//	compact 6  [{7, 7, 1, c}]                              the tombstone at 5 covered 6
//	rev 8  delete foo, then compact 8  []                  foo leaves the tree
//
// A second write to the same key inside one transaction has the same mod
// revision as the first and replaces it instead of appending, so a history
// never holds two records of one revision.
//
// A record also keeps its sub-revision: the position of its write among
// the transaction's changes (TxnResult.Events), so that Events can replay
// the changes of one revision, across keys, in the order the transaction
// made them. A replacing write carries its own, later position. For a txn
// at rev 8 that puts e, then foo, then deletes b:
//
//	e   [... {mod 8, sub 0, e's value}]
//	foo [... {mod 8, sub 1, foo's value}]
//	b   [... {mod 8, sub 2, tombstone}]
//
// Items are never changed once in the tree: a write builds a new keyItem
// and replaces the old one, so a cloned tree (a View) keeps seeing the old
// history. To keep puts cheap the new item's recs may share the old item's
// backing array, appending past the old length; the old item never sees
// that slot, and only the live tree's item for a key is ever appended to.
type keyItem struct {
	key  []byte
	recs []record // oldest first, mod strictly increasing; never empty in the tree
}

// record is one version of a key: what a put wrote, or a tombstone left by
// a delete. New per-version fields (ZooKeeper's timestamps and ACL) go here.
type record struct {
	mod     int64  // revision of the write that produced this record
	sub     int64  // index of that write among its transaction's events (TxnResult.Events)
	create  int64  // revision that created this incarnation; 0 in a tombstone
	version int64  // 1 on creation, +1 per put; 0 in a tombstone
	lease   int64  // attached lease ID, 0 for none
	value   []byte // nil in a tombstone
}

func lessKey(a, b keyItem) bool { return bytes.Compare(a.key, b.key) < 0 }

func (r *record) tombstone() bool { return r.version == 0 }

// keyValue renders r as the wire type; the slices are shared, not copied.
func (r *record) keyValue(key []byte) mvccpb.KeyValue {
	return mvccpb.KeyValue{
		Key:            key,
		CreateRevision: r.create,
		ModRevision:    r.mod,
		Version:        r.version,
		Value:          r.value,
		Lease:          r.lease,
	}
}

// visible returns the index of the newest record with mod <= rev, or -1.
func (it *keyItem) visible(rev int64) int {
	n := len(it.recs)
	if n > 0 && it.recs[n-1].mod <= rev {
		return n - 1 // the common case: reading the latest state
	}
	lo, hi := 0, n // the first record with mod > rev is in [lo, hi]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if it.recs[mid].mod <= rev {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// at returns the key's version as of revision rev, and false if the key did
// not exist then.
func (it *keyItem) at(rev int64) (record, bool) {
	i := it.visible(rev)
	if i < 0 || it.recs[i].tombstone() {
		return record{}, false
	}
	return it.recs[i], true
}

// latest returns the key's newest version, and false if it does not exist.
func (it *keyItem) latest() (record, bool) {
	r := it.recs[len(it.recs)-1]
	return r, !r.tombstone()
}

// with returns a new item whose history ends with r, leaving it unchanged.
func (it keyItem) with(r record) keyItem {
	n := len(it.recs)
	if n > 0 && it.recs[n-1].mod == r.mod {
		recs := slices.Clone(it.recs)
		recs[n-1] = r
		return keyItem{key: it.key, recs: recs}
	}
	return keyItem{key: it.key, recs: append(it.recs, r)}
}

// compactedAt returns the history that survives a compaction at rev (nil
// when nothing does) and whether it differs from it.recs. The survivors are
// copied so that the dropped records can be freed.
func (it *keyItem) compactedAt(rev int64) ([]record, bool) {
	i := it.visible(rev)
	if i < 0 {
		return nil, false
	}
	keep := i
	if it.recs[i].tombstone() {
		keep = i + 1
	}
	if keep == 0 {
		return nil, false
	}
	if keep == len(it.recs) {
		return nil, true
	}
	return slices.Clone(it.recs[keep:]), true
}
