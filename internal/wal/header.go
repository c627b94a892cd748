package wal

import (
	"encoding/binary"
	"fmt"
)

// formatVersion is written in every segment header. Open refuses segments of any other
// version rather than guess at their layout.
const formatVersion = 1

// segmentHeader is the data of the typeSegment record that starts every segment: 20 bytes,
// little-endian version(4) seq(8) firstIndex(8). seq and firstIndex repeat the file name, so
// a renamed or misplaced file is noticed.
type segmentHeader struct {
	version    uint32
	seq        uint64
	firstIndex uint64
}

const segmentHeaderSize = 20

// Size returns the encoded size of h.
func (h *segmentHeader) Size() int { return segmentHeaderSize }

// MarshalToSizedBuffer encodes h into b, which must be exactly Size bytes long.
func (h *segmentHeader) MarshalToSizedBuffer(b []byte) (int, error) {
	if len(b) != segmentHeaderSize {
		return 0, fmt.Errorf("segment header needs %d bytes, have %d", segmentHeaderSize, len(b))
	}
	le := binary.LittleEndian
	le.PutUint32(b[0:4], h.version)
	le.PutUint64(b[4:12], h.seq)
	le.PutUint64(b[12:20], h.firstIndex)
	return segmentHeaderSize, nil
}

// Unmarshal decodes b into h.
func (h *segmentHeader) Unmarshal(b []byte) error {
	if len(b) != segmentHeaderSize {
		return fmt.Errorf("segment header of %d bytes, want %d", len(b), segmentHeaderSize)
	}
	le := binary.LittleEndian
	h.version = le.Uint32(b[0:4])
	h.seq = le.Uint64(b[4:12])
	h.firstIndex = le.Uint64(b[12:20])
	return nil
}

// check reports whether h is the header of seg in a format this package reads.
func (h *segmentHeader) check(seg segment) error {
	if h.version != formatVersion {
		return fmt.Errorf("unsupported format version %d (this build reads %d)", h.version, formatVersion)
	}
	if h.seq != seg.seq || h.firstIndex != seg.firstIndex {
		return fmt.Errorf("header says sequence %d, first index %d; the file name disagrees", h.seq, h.firstIndex)
	}
	return nil
}
