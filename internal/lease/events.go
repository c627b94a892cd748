package lease

import (
	"fmt"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// ApplyEvents keeps key attachments in step with the store: the apply step
// passes it the events of every write transaction it applied, in order.
// A PUT attaches its key to the lease the new version names (kv.Lease),
// detaching it from the lease it had before; a DELETE detaches its key.
// Leases are read from the Table's own key index, not from the events'
// prev_kv, so it does not matter whether the store filled that in.
//
// A worked example, starting from an empty table with leases 7 and 9:
//
//	put a lease=7        a -> 7              7: {a}     9: {}
//	put b lease=7        a -> 7, b -> 7      7: {a b}   9: {}
//	put a lease=9        a -> 9, b -> 7      7: {b}     9: {a}
//	put a (ignore_lease) unchanged: the store repeats lease 9 in the event
//	put b lease=0        a -> 9              7: {}      9: {a}
//	delete a             (nothing)           7: {}      9: {}
//	put c lease=9, then Revoke(9) returns [c] and detaches it; the apply
//	step deletes c in the same transaction as the revoke, and the DELETE
//	event of c finds nothing left to detach.
//
// A PUT naming a lease the table lacks means the apply step wrote to the
// store without checking Exists first: a broken invariant of the
// replicated state, so ApplyEvents panics. The events' keys are copied.
func (t *Table) ApplyEvents(events []mvccpb.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range events {
		ev := &events[i]
		if ev.Kv == nil {
			continue
		}
		var lease int64
		if ev.Type == mvccpb.PUT {
			lease = ev.Kv.Lease
		}
		t.attachLocked(ev.Kv.Key, lease)
	}
}

// attachLocked makes lease (0: none) the lease of key.
func (t *Table) attachLocked(key []byte, lease int64) {
	old := t.owner[string(key)]
	if old == lease {
		return
	}
	var next *entry
	if lease != 0 {
		var ok bool
		if next, ok = t.leases[lease]; !ok {
			panic(fmt.Sprintf("lease: key %q written with unknown lease %x (apply must check Table.Exists before the write)", key, lease))
		}
	}
	k := string(key)
	if old != 0 {
		delete(t.leases[old].keys, k)
		delete(t.owner, k)
	}
	if next != nil {
		if next.keys == nil {
			next.keys = make(map[string]struct{})
		}
		next.keys[k] = struct{}{}
		t.owner[k] = lease
	}
}
