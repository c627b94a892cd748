package lease

import (
	"sync/atomic"
	"time"
)

// IDGen picks IDs for grants that name none. An ID is a positive int64:
//
//	bit  63     0, so IDs are positive as etcd's are
//	bits 47-62  the member ID folded to 16 bits (XOR of its four 16-bit parts)
//	bits 0-46   a counter that starts at (milliseconds since 2025-01-01) << 6
//	            and counts up; it carries into the time part, which only moves
//	            it forward, so a restarted member starts above what it issued
//	            unless it issued more than 64 IDs per millisecond on average.
//
// Two members whose IDs fold to the same 16 bits could collide; the grant
// then fails with ErrExists, and the proposer retries with the next ID.
// IDs never repeat within one generator until 2094, when the time part
// wraps; none is 0.
type IDGen struct {
	prefix uint64
	next   atomic.Uint64
}

const (
	idMemberShift = 47
	idSuffixMask  = 1<<idMemberShift - 1
	idCountBits   = 6
)

var idEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// NewIDGen returns a generator for member memberID started at now.
func NewIDGen(memberID uint64, now time.Time) *IDGen {
	m := memberID ^ memberID>>16 ^ memberID>>32 ^ memberID>>48
	g := &IDGen{prefix: (m & 0xffff) << idMemberShift}
	ms := max(now.Sub(idEpoch).Milliseconds(), 0)
	g.next.Store(uint64(ms) << idCountBits & idSuffixMask)
	return g
}

// Next returns a new ID; safe for concurrent use.
func (g *IDGen) Next() int64 {
	for {
		if id := g.prefix | g.next.Add(1)&idSuffixMask; id != 0 {
			return int64(id)
		}
	}
}
