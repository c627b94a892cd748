package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

// recordType says what a record's data holds. Zero is never a valid type, so zero-filled
// (preallocated) space never decodes as a record.
type recordType uint8

const (
	typeSegment   recordType = 1 // segmentHeader: first record of every segment
	typeEntry     recordType = 2 // raftpb.Entry
	typeHardState recordType = 3 // raftpb.HardState
	typeSnapshot  recordType = 4 // raftpb.SnapshotMetadata: a snapshot marker
)

const (
	headerSize = 16 // header crc(4) length(4) data crc(4) reserved(3) type(1)
	alignment  = 8  // every record starts at a multiple of alignment within its segment
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Reasons a record does not decode. Open reports them inside ErrCorrupt or logs them when it
// truncates a torn tail.
var (
	errTruncated = errors.New("record runs past the end of the segment")
	errHeader    = errors.New("record header is damaged")
	errChecksum  = errors.New("record checksum mismatch")
)

// record is one decoded record. data aliases the buffer it was decoded from.
type record struct {
	typ  recordType
	data []byte
}

// marshaler is what the gogo-protobuf raftpb types (and segmentHeader) offer for encoding
// straight into the WAL's reused buffer.
type marshaler interface {
	Size() int
	MarshalToSizedBuffer(b []byte) (int, error)
}

// frameSize returns the bytes a record with n data bytes occupies on disk, padding included.
func frameSize(n uint64) uint64 {
	return (headerSize + n + alignment - 1) &^ (alignment - 1)
}

// appendRecord appends the frame of a record of type typ holding m to buf. It grows buf at
// most once and allocates nothing else.
func appendRecord(buf []byte, typ recordType, m marshaler) ([]byte, error) {
	n := m.Size()
	if uint64(n) > math.MaxUint32 {
		return buf, fmt.Errorf("record of %d bytes exceeds the 4 GiB limit", n)
	}
	start := len(buf)
	size := int(frameSize(uint64(n)))
	buf = slices.Grow(buf, size)[:start+size]
	frame := buf[start:]
	if _, err := m.MarshalToSizedBuffer(frame[headerSize : headerSize+n]); err != nil {
		return buf[:start], fmt.Errorf("marshal record of type %d: %w", typ, err)
	}
	sealFrame(frame, typ, n)
	return buf, nil
}

// sealFrame fills in the header and padding of frame, whose n data bytes are already in place.
func sealFrame(frame []byte, typ recordType, n int) {
	le := binary.LittleEndian
	le.PutUint32(frame[4:8], uint32(n))
	clear(frame[12:15])
	frame[15] = byte(typ)
	le.PutUint32(frame[8:12], crc32.Checksum(frame[15:headerSize+n], castagnoli))
	le.PutUint32(frame[0:4], crc32.Checksum(frame[4:headerSize], castagnoli))
	clear(frame[headerSize+n:])
}

// decodeRecord decodes the record whose frame starts at b[0] and returns it with the frame's
// size. The record is valid only if its header checksum matches, its reserved bytes are zero,
// its type is not zero, its whole frame (padding included) lies within b and its data
// checksum matches. The type is not checked against the known types: that is the caller's job.
//
// A valid header is trusted even when the rest of the record is not: the bytes its frame
// claims belong to that record, whatever they contain. So on errChecksum and errTruncated
// with a valid header, size is the number of bytes of b the frame claims (all of b if the
// frame runs past its end); on other errors it is 0.
func decodeRecord(b []byte) (rec record, size int, err error) {
	if len(b) < headerSize {
		return record{}, 0, errTruncated
	}
	le := binary.LittleEndian
	if b[15] == 0 || b[12]|b[13]|b[14] != 0 || le.Uint32(b[0:4]) != crc32.Checksum(b[4:headerSize], castagnoli) {
		return record{}, 0, errHeader
	}
	n := uint64(le.Uint32(b[4:8]))
	if frameSize(n) > uint64(len(b)) {
		return record{}, len(b), errTruncated
	}
	size = int(frameSize(n))
	end := headerSize + int(n)
	if crc32.Checksum(b[15:end], castagnoli) != le.Uint32(b[8:12]) {
		return record{}, size, errChecksum
	}
	return record{typ: recordType(b[15]), data: b[headerSize:end]}, size, nil
}
