package lease

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/concordkv/concord/internal/seal"
)

// A table snapshot, format version 1 (varint and uvarint as in
// encoding/binary):
//
//	magic     4 bytes "CLSE"
//	version   1 byte, 1
//	leases    uvarint count, then per lease in ascending ID order:
//	  id        varint
//	  ttl       uvarint  milliseconds, 1..MaxTTL
//	  remaining uvarint  milliseconds, 0 = no checkpoint
//	  keys      uvarint count, then per key in ascending byte order:
//	    len     uvarint, then the key bytes
//	crc       4 bytes, big-endian CRC-32C (Castagnoli) of every byte above
//
// The same table always encodes to the same bytes. Attached keys are stored
// rather than rebuilt from the store so the section restores on its own.
const snapVersion = 1

var (
	snapMagic = []byte("CLSE")

	// ErrCorruptSnapshot: Restore was given bytes that are not a table
	// snapshot, or are damaged.
	ErrCorruptSnapshot = errors.New("lease: corrupt snapshot")
)

// Snapshot encodes the table. The apply goroutine calls it at the same
// point as it takes the store's view, so both describe the same applied
// index; it costs O(leases + attached keys) there. The bytes are the
// caller's.
func (t *Table) Snapshot() []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	ids := make([]int64, 0, len(t.leases))
	for id := range t.leases {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := seal.Begin(snapMagic, snapVersion)
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		e := t.leases[id]
		b = binary.AppendVarint(b, id)
		b = binary.AppendUvarint(b, uint64(e.TTL))
		b = binary.AppendUvarint(b, uint64(e.Remaining))
		keys := sortedKeys(e.keys)
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, k := range keys {
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
		}
	}
	return seal.End(b)
}

// Restore replaces the table's contents with a snapshot written by
// Snapshot. On error the table is unchanged. It runs on the apply
// goroutine; an active Lessor keeps the expiry of every lease that
// survives and starts the others afresh.
func (t *Table) Restore(data []byte) error {
	leases, owner, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.leases, t.owner = leases, owner
	if t.lessor != nil {
		t.lessor.restored(t.leases)
	}
	return nil
}

func decodeSnapshot(data []byte) (map[int64]*entry, map[string]int64, error) {
	body, err := seal.Open(data, snapMagic, snapVersion)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorruptSnapshot, err)
	}
	d := decoder{b: body}
	n := d.uvarint()
	if n > uint64(len(d.b))/4 { // each lease takes at least 4 bytes
		return nil, nil, fmt.Errorf("%w: %d leases in %d bytes", ErrCorruptSnapshot, n, len(d.b))
	}
	leases := make(map[int64]*entry, n)
	owner := make(map[string]int64)
	var last int64
	for i := uint64(0); i < n && d.err == nil; i++ {
		e := &entry{Lease: Lease{ID: d.varint(), TTL: d.int(), Remaining: d.int()}}
		switch {
		case d.err != nil:
		case e.ID == 0 || (i > 0 && e.ID <= last):
			d.err = fmt.Errorf("lease ID %x out of order", e.ID)
		case e.TTL < 1 || e.TTL > MaxTTL:
			d.err = fmt.Errorf("lease %x has TTL %d ms", e.ID, e.TTL)
		}
		last = e.ID
		d.keys(e, owner)
		leases[e.ID] = e
	}
	if err := d.done("snapshot"); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrCorruptSnapshot, err)
	}
	return leases, owner, nil
}

// keys reads the attached keys of e into e.keys and owner.
func (d *decoder) keys(e *entry, owner map[string]int64) {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.err = fmt.Errorf("lease %x claims %d keys in %d bytes", e.ID, n, len(d.b))
	}
	if d.err != nil || n == 0 {
		return
	}
	e.keys = make(map[string]struct{}, n)
	var prev string
	for i := uint64(0); i < n && d.err == nil; i++ {
		l := d.uvarint()
		if d.err == nil && l > uint64(len(d.b)) {
			d.err = errShort
		}
		if d.err != nil {
			return
		}
		k := string(d.b[:l])
		d.b = d.b[l:]
		if _, dup := owner[k]; dup || (i > 0 && k <= prev) {
			d.err = fmt.Errorf("key %q out of order or attached twice", k)
			return
		}
		e.keys[k] = struct{}{}
		owner[k] = e.ID
		prev = k
	}
}
