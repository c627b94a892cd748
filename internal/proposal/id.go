package proposal

import (
	"sync/atomic"
	"time"
)

// IDGen generates request IDs unique across the cluster and across restarts
// of a member: the top 16 bits are taken from the member ID, the next 40 bits
// from the start time in milliseconds, and the low bits count up. The counter
// part simply carries into the time part, which only moves it forward.
type IDGen struct {
	prefix uint64
	next   atomic.Uint64
}

const (
	prefixShift = 48
	suffixMask  = 1<<prefixShift - 1
	countBits   = 8
)

// NewIDGen returns a generator for member memberID started at now.
func NewIDGen(memberID uint64, now time.Time) *IDGen {
	g := &IDGen{prefix: (memberID & 0xffff) << prefixShift}
	ms := uint64(now.UnixMilli())
	g.next.Store((ms << countBits) & suffixMask)
	return g
}

// Next returns a new ID; safe for concurrent use.
func (g *IDGen) Next() uint64 {
	return g.prefix | (g.next.Add(1) & suffixMask)
}
