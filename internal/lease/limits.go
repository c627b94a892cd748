package lease

import (
	"fmt"
	"time"
)

// Limits on TTLs, the same as etcd's:
//
//   - MaxTTL is 9,000,000,000 s (etcd's MaxLeaseTTL, about 285 years). A
//     longer grant fails with ErrTTLTooLarge.
//   - The minimum is ceil(1.5 × election timeout) rounded up to a whole
//     second: 2 s with the default 100 ms heartbeat and 10-tick election
//     timeout. A shorter grant (including 0 or a negative TTL) is raised
//     to the minimum, as etcd does. A lease shorter than an election could
//     expire while its holder cannot find the new leader.
//
// The minimum depends on configuration, which members need not share, so
// it is applied by the proposer (Limits.TTL) before the grant is
// replicated; the Table checks only the fixed bounds (0 < TTL ≤ MaxTTL).
const (
	MaxTTLSeconds = 9_000_000_000
	MaxTTL        = MaxTTLSeconds * int64(time.Second/time.Millisecond) // milliseconds
)

// Limits are the configuration-dependent TTL bounds of a member.
type Limits struct {
	// MinTTL is the shortest TTL granted, in milliseconds.
	MinTTL int64
}

// LimitsFor returns etcd's limits for a cluster whose election timeout is
// election: MinTTL = ceil(1.5 × election) rounded up to whole seconds.
func LimitsFor(election time.Duration) Limits {
	minTTL := (3*election/2 + time.Second - 1) / time.Second * time.Second
	return Limits{MinTTL: minTTL.Milliseconds()}
}

// TTL returns the TTL, in milliseconds, to grant for a request of ttl
// milliseconds: raised to MinTTL, or ErrTTLTooLarge above MaxTTL.
func (l Limits) TTL(ttl int64) (int64, error) {
	if ttl > MaxTTL {
		return 0, fmt.Errorf("%w: %d ms", ErrTTLTooLarge, ttl)
	}
	return max(ttl, l.MinTTL, 1), nil
}

// Seconds converts a TTL from the etcd API (seconds) to milliseconds,
// failing with ErrTTLTooLarge above MaxTTLSeconds. A TTL of 0 or less
// becomes 0, which Limits.TTL raises to the minimum; neither end can
// overflow.
func Seconds(ttl int64) (int64, error) {
	switch {
	case ttl > MaxTTLSeconds:
		return 0, fmt.Errorf("%w: %d s", ErrTTLTooLarge, ttl)
	case ttl <= 0:
		return 0, nil
	}
	return ttl * 1000, nil
}

// ToSeconds converts milliseconds to whole seconds for the etcd API,
// rounding up so that a live lease never reports a TTL of 0.
func ToSeconds(ms int64) int64 {
	if ms <= 0 {
		return ms / 1000
	}
	return (ms + 999) / 1000
}
