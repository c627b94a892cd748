package lease

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The payloads of the three lease commands the apply step replicates. Each
// encodes to a compact binary form (encoding/binary varints, fields in the
// order below, nothing after them); the command envelope around it carries
// the format version. Times are in milliseconds.

// GrantRequest creates a lease (Table.Grant). The proposer picks ID (an
// IDGen's, or the client's) and clamps TTL with Limits.TTL.
type GrantRequest struct {
	ID  int64 // varint
	TTL int64 // uvarint
}

// RevokeRequest removes a lease and deletes its keys (Table.Revoke).
type RevokeRequest struct {
	ID int64 // varint
	// Term is 0 for a client's revoke, and for an expiry the term of the
	// Lessor that saw it expire (Config.Revoke). See Stale.
	Term uint64 // uvarint
}

// CheckpointRequest records remaining TTLs (Table.Checkpoint).
type CheckpointRequest struct {
	Term        uint64       // uvarint; the proposing Lessor's term. See Stale.
	Checkpoints []Checkpoint // uvarint count, then per checkpoint: varint ID, uvarint Remaining
}

// Checkpoint is one lease's remaining TTL as the leader measured it; a
// Remaining of 0 clears the lease's checkpoint.
type Checkpoint struct {
	ID        int64
	Remaining int64
}

// Stale reports whether a revoke or checkpoint proposed by the Lessor of
// term was appended to the log in a different term, entryTerm (the raft
// entry's Term): its proposer had been deposed, and raft forwarded the
// proposal to the next leader. The apply step must then ignore the command
// and answer ErrStale. Without this, a leader paused past a lease's
// expiry could wake, revoke the lease on its stale clock and have the
// revoke committed by the new leader, whose clients had kept it alive.
// Commands proposed outside the Lessor carry term 0 and are never stale.
func Stale(term, entryTerm uint64) bool { return term != 0 && term != entryTerm }

var errShort = errors.New("lease: truncated command")

// Marshal encodes r.
func (r *GrantRequest) Marshal() []byte {
	b := binary.AppendVarint(nil, r.ID)
	return binary.AppendUvarint(b, uint64(r.TTL))
}

// Unmarshal decodes what Marshal wrote.
func (r *GrantRequest) Unmarshal(b []byte) error {
	d := decoder{b: b}
	r.ID, r.TTL = d.varint(), d.int()
	return d.done("grant")
}

// Marshal encodes r.
func (r *RevokeRequest) Marshal() []byte {
	b := binary.AppendVarint(nil, r.ID)
	return binary.AppendUvarint(b, r.Term)
}

// Unmarshal decodes what Marshal wrote.
func (r *RevokeRequest) Unmarshal(b []byte) error {
	d := decoder{b: b}
	r.ID, r.Term = d.varint(), d.uvarint()
	return d.done("revoke")
}

// Marshal encodes r.
func (r *CheckpointRequest) Marshal() []byte {
	b := binary.AppendUvarint(nil, r.Term)
	b = binary.AppendUvarint(b, uint64(len(r.Checkpoints)))
	for _, cp := range r.Checkpoints {
		b = binary.AppendVarint(b, cp.ID)
		b = binary.AppendUvarint(b, uint64(cp.Remaining))
	}
	return b
}

// Unmarshal decodes what Marshal wrote.
func (r *CheckpointRequest) Unmarshal(b []byte) error {
	d := decoder{b: b}
	r.Term = d.uvarint()
	n := d.uvarint()
	if n > uint64(len(d.b))/2 { // each checkpoint takes at least 2 bytes
		return fmt.Errorf("lease: checkpoint command claims %d checkpoints in %d bytes", n, len(d.b))
	}
	r.Checkpoints = make([]Checkpoint, 0, n)
	for ; n > 0 && d.err == nil; n-- {
		r.Checkpoints = append(r.Checkpoints, Checkpoint{ID: d.varint(), Remaining: d.int()})
	}
	return d.done("checkpoint")
}

// decoder reads varints from b, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int reads a uvarint that must fit a non-negative int64.
func (d *decoder) int() int64 {
	v := d.uvarint()
	if v > 1<<63-1 && d.err == nil {
		d.err = fmt.Errorf("lease: value %d out of range", v)
	}
	return int64(v)
}

func (d *decoder) done(what string) error {
	switch {
	case d.err != nil:
		return fmt.Errorf("lease: decode %s command: %w", what, d.err)
	case len(d.b) != 0:
		return fmt.Errorf("lease: decode %s command: %d trailing bytes", what, len(d.b))
	}
	return nil
}
