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
	headerSize = 12 // length(4) crc(4) check(2) reserved(1) type(1)
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
	le.PutUint32(frame[0:4], uint32(n))
	frame[10] = 0
	frame[11] = byte(typ)
	le.PutUint32(frame[4:8], crc32.Checksum(frame[11:headerSize+n], castagnoli))
	le.PutUint16(frame[8:10], headerCheck(frame))
	clear(frame[headerSize+n:])
}

// headerCheck protects the length field, so that a damaged length is recognised before it
// is trusted, and lets a scan reject most non-record offsets without reading their data.
func headerCheck(header []byte) uint16 {
	return uint16(crc32.Checksum(header[0:8], castagnoli))
}

// decodeRecord decodes the record whose frame starts at b[0] and returns it with the frame's
// size. The record is valid only if its whole frame, padding included, lies within b, its
// header check and checksum match, its reserved byte is zero and its type is not zero. The
// type is not checked against the known types: that is the caller's job.
func decodeRecord(b []byte) (record, int, error) {
	if len(b) < headerSize {
		return record{}, 0, errTruncated
	}
	le := binary.LittleEndian
	if b[11] == 0 || b[10] != 0 || le.Uint16(b[8:10]) != headerCheck(b) {
		return record{}, 0, errHeader
	}
	n := uint64(le.Uint32(b[0:4]))
	size := frameSize(n)
	if size > uint64(len(b)) {
		return record{}, 0, errTruncated
	}
	end := headerSize + int(n)
	if crc32.Checksum(b[11:end], castagnoli) != le.Uint32(b[4:8]) {
		return record{}, 0, errChecksum
	}
	return record{typ: recordType(b[11]), data: b[headerSize:end]}, int(size), nil
}
