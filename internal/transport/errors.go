package transport

import "errors"

// Sentinel errors. They are wrapped with the failing operation, so test for
// them with errors.Is.
var (
	// ErrClusterMismatch means a peer presented another cluster's ID in
	// the handshake.
	ErrClusterMismatch = errors.New("transport: cluster ID mismatch")
	// ErrWrongMember means a peer opened a stream addressed to a member
	// other than the one that accepted it, e.g. after an address was reused.
	ErrWrongMember = errors.New("transport: stream addressed to another member")
	// ErrBadHandshake means the first bytes of a stream were not a
	// handshake this version understands.
	ErrBadHandshake = errors.New("transport: bad handshake")
	// ErrFrameTooLarge means a frame's length exceeds Config.MaxFrameSize.
	ErrFrameTooLarge = errors.New("transport: frame too large")
	// ErrMisaddressed means a received message's From or To does not match
	// the stream it arrived on.
	ErrMisaddressed = errors.New("transport: message does not match its stream")
)
