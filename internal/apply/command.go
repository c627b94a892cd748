package apply

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind identifies a replicated command. Values are part of the on-disk and
// on-wire format: never renumber or reuse one.
type Kind uint8

// Commands of format version 1.
const (
	KindPut             Kind = 1 // payload: etcdserverpb.PutRequest
	KindDeleteRange     Kind = 2 // payload: etcdserverpb.DeleteRangeRequest
	KindTxn             Kind = 3 // payload: etcdserverpb.TxnRequest
	KindCompact         Kind = 4 // payload: etcdserverpb.CompactionRequest
	KindPublish         Kind = 5 // payload: JSON membership.Member (ID, name, client URLs)
	KindLeaseGrant      Kind = 6 // payload: lease.GrantRequest
	KindLeaseRevoke     Kind = 7 // payload: lease.RevokeRequest
	KindLeaseCheckpoint Kind = 8 // payload: lease.CheckpointRequest
	KindZnode           Kind = 9 // payload: znode.Request
)

// kindIgnorable marks a command a member that does not know it may skip
// without diverging (it changes no state other members rely on).
const kindIgnorable Kind = 0x80

// formatVersion is the envelope version written by this build.
const formatVersion = 1

// ErrBadCommand marks an entry whose envelope cannot be decoded.
var ErrBadCommand = errors.New("apply: malformed command")

// Command is a decoded entry. Layout of the encoded form:
//
//	byte 0     format version (1)
//	byte 1     kind; the high bit marks an ignorable command
//	bytes 2..  request ID as a uvarint (0 when nobody waits for the result)
//	rest       payload, whose encoding the kind defines
//
// Example: a put with request ID 300 is 01 01 ac 02 followed by the
// marshalled PutRequest.
type Command struct {
	Kind    Kind
	ID      uint64
	Payload []byte
}

// Encode returns the entry data for a command.
func Encode(kind Kind, id uint64, payload []byte) []byte {
	b := make([]byte, 2, 2+binary.MaxVarintLen64+len(payload))
	b[0], b[1] = formatVersion, byte(kind)
	b = binary.AppendUvarint(b, id)
	return append(b, payload...)
}

// Decode parses entry data written by Encode.
func Decode(data []byte) (Command, error) {
	if len(data) < 3 {
		return Command{}, fmt.Errorf("%w: %d bytes", ErrBadCommand, len(data))
	}
	if data[0] != formatVersion {
		return Command{}, fmt.Errorf("%w: format version %d, this build reads %d", ErrBadCommand, data[0], formatVersion)
	}
	id, n := binary.Uvarint(data[2:])
	if n <= 0 {
		return Command{}, fmt.Errorf("%w: bad request id", ErrBadCommand)
	}
	return Command{Kind: Kind(data[1]), ID: id, Payload: data[2+n:]}, nil
}
