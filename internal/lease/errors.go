package lease

import "errors"

var (
	// ErrNotFound: no lease with that ID exists (or, from the Lessor, it has
	// expired and its revoke is on its way).
	ErrNotFound = errors.New("lease: requested lease not found")
	// ErrExists: a grant names an ID that is already in use.
	ErrExists = errors.New("lease: lease already exists")
	// ErrTTLTooLarge: a grant asks for more than MaxTTL.
	ErrTTLTooLarge = errors.New("lease: too large lease TTL")
	// ErrInvalidTTL: a grant reached the table with a TTL below 1 ms; the
	// proposer must clamp TTLs with Limits.TTL first.
	ErrInvalidTTL = errors.New("lease: TTL must be positive")
	// ErrNotPrimary: this member's Lessor is not active (it does not lead, or
	// has not yet applied its term's first entry). The caller should send
	// the request to the leader.
	ErrNotPrimary = errors.New("lease: not the primary lessor")
	// ErrStale: a revoke or checkpoint proposed by the lessor of an earlier
	// term reached the log in a later term; the apply step ignores it.
	ErrStale = errors.New("lease: proposed by a deposed leader")
)
