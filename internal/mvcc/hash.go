package mvcc

import (
	"encoding/binary"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// HashKV returns a CRC-32C over the store's retained history up to revision
// rev (<= 0 meaning the current revision): the compaction revision, then
// every key's retained versions with mod revision <= rev, in key order, each
// with all of its fields. Versions a compaction kept because they were still
// visible at the compaction revision are included, so the hash covers the
// whole state readable at rev. Two stores that applied the same history
// return the same hash. It also returns CompactRev(), and fails like Range
// for a compacted or future rev. HashKV may be called from any goroutine.
func (s *Store) HashKV(rev int64) (hash uint32, compactRev int64, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rev, err = s.readRevLocked(rev)
	if err != nil {
		return 0, s.compactRev, err
	}
	var buf [7 * binary.MaxVarintLen64]byte
	h := crc32.Update(0, castagnoli, binary.AppendVarint(buf[:0], s.compactRev))
	s.tree.Ascend(func(it keyItem) bool {
		for i := range it.recs {
			r := &it.recs[i]
			if r.mod > rev {
				break
			}
			b := binary.AppendUvarint(buf[:0], uint64(len(it.key)))
			h = crc32.Update(h, castagnoli, b)
			h = crc32.Update(h, castagnoli, it.key)
			b = binary.AppendVarint(buf[:0], r.mod)
			b = binary.AppendVarint(b, r.sub)
			b = binary.AppendVarint(b, r.create)
			b = binary.AppendVarint(b, r.version)
			b = binary.AppendVarint(b, r.lease)
			b = binary.AppendUvarint(b, uint64(len(r.value)))
			h = crc32.Update(h, castagnoli, b)
			h = crc32.Update(h, castagnoli, r.value)
		}
		return true
	})
	return h, s.compactRev, nil
}
