package lease

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
)

// Lease is one lease as the replicated Table holds it. Times are in
// milliseconds.
type Lease struct {
	ID int64
	// TTL is the granted time to live.
	TTL int64
	// Remaining is the time to live the leader last checkpointed, or 0 if
	// there was no checkpoint since the grant or the last renewal that
	// followed a checkpoint. A new leader gives the lease Remaining if set,
	// else TTL (see Lessor.Promote).
	Remaining int64
}

// Table is the replicated half of leases: which leases exist, their TTLs,
// their checkpointed remaining TTLs, and which keys are attached to each.
// It holds no expiry times: those live in the leader's Lessor.
//
// Every member keeps a Table, changed only by the apply step in log order
// (Grant, Revoke, Checkpoint, ApplyEvents, Restore), so all members hold the
// same one. It reads no clock and draws no random numbers. The mutators
// must be called by one goroutine, the apply loop; the readers (Lookup,
// Exists, Keys, List, Len, Snapshot) may be called from any goroutine.
//
// Lock order: Table.mu, then Lessor.mu. The Table tells its Lessor about
// grants, revokes and restores while holding mu; the Lessor never calls the
// Table while holding its own lock.
type Table struct {
	mu     sync.RWMutex     // protects following fields
	leases map[int64]*entry // by lease ID
	owner  map[string]int64 // attached key -> its lease
	lessor *Lessor          // set once by NewLessor; may be nil
}

type entry struct {
	Lease
	keys map[string]struct{} // attached keys; shares its strings with Table.owner
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{leases: make(map[int64]*entry), owner: make(map[string]int64)}
}

// Grant creates lease id with a TTL of ttl milliseconds. id must not be 0
// (ErrNotFound, as in etcd) or in use (ErrExists); ttl must lie in
// [1, MaxTTL] (ErrInvalidTTL, ErrTTLTooLarge). The minimum TTL is the
// proposer's business (Limits.TTL), since it depends on configuration.
func (t *Table) Grant(id, ttl int64) error {
	switch {
	case id == 0:
		return fmt.Errorf("%w: lease ID 0", ErrNotFound)
	case ttl < 1:
		return fmt.Errorf("%w: %d ms", ErrInvalidTTL, ttl)
	case ttl > MaxTTL:
		return fmt.Errorf("%w: %d ms", ErrTTLTooLarge, ttl)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.leases[id]; ok {
		return fmt.Errorf("%w: %x", ErrExists, id)
	}
	e := &entry{Lease: Lease{ID: id, TTL: ttl}}
	t.leases[id] = e
	if t.lessor != nil {
		t.lessor.granted(e.Lease)
	}
	return nil
}

// Revoke removes lease id and detaches its keys, which it returns in
// ascending order (fresh slices, owned by the caller). The apply step must
// delete exactly these keys from the store in the same transaction, so the
// revoke and the deletions share one revision; the DELETE events that
// transaction produces may then be passed to ApplyEvents, which finds the
// keys already detached. ErrNotFound if there is no such lease.
func (t *Table) Revoke(id int64) ([][]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.leases[id]
	if !ok {
		return nil, fmt.Errorf("%w: %x", ErrNotFound, id)
	}
	keys := sortedKeys(e.keys)
	for k := range e.keys {
		delete(t.owner, k)
	}
	delete(t.leases, id)
	if t.lessor != nil {
		t.lessor.revoked(id)
	}
	return keys, nil
}

// Checkpoint records the remaining TTLs the leader measured. A checkpoint
// of an unknown lease is ignored (it may have been revoked since); a
// Remaining of 0 clears the lease's checkpoint.
func (t *Table) Checkpoint(cps []Checkpoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, cp := range cps {
		if e, ok := t.leases[cp.ID]; ok {
			e.Remaining = max(cp.Remaining, 0)
		}
	}
}

// Exists reports whether lease id exists. The apply step checks it before
// a write that attaches a key to a lease, and fails the write with
// ErrNotFound otherwise.
func (t *Table) Exists(id int64) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.leases[id]
	return ok
}

// Lookup returns lease id.
func (t *Table) Lookup(id int64) (Lease, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.leases[id]
	if !ok {
		return Lease{}, false
	}
	return e.Lease, true
}

// Keys returns the keys attached to lease id in ascending order (fresh
// slices), or nil if it has none or does not exist.
func (t *Table) Keys(id int64) [][]byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if e, ok := t.leases[id]; ok {
		return sortedKeys(e.keys)
	}
	return nil
}

// List returns every lease in ascending ID order.
func (t *Table) List() []Lease {
	t.mu.RLock()
	defer t.mu.RUnlock()
	ls := make([]Lease, 0, len(t.leases))
	for _, e := range t.leases {
		ls = append(ls, e.Lease)
	}
	slices.SortFunc(ls, func(a, b Lease) int { return cmpInt64(a.ID, b.ID) })
	return ls
}

// Len returns the number of leases.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.leases)
}

func sortedKeys(set map[string]struct{}) [][]byte {
	if len(set) == 0 {
		return nil
	}
	keys := make([][]byte, 0, len(set))
	for k := range set {
		keys = append(keys, []byte(k))
	}
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
