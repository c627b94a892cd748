package wal

import "bytes"

// tailKind classifies what follows the unbroken run of valid records at the start of a segment.
type tailKind int

const (
	// tailClean: the segment ends there, or only zero bytes (preallocated space) follow.
	tailClean tailKind = iota
	// tailTorn: non-zero bytes follow, but no valid record starts anywhere after them.
	tailTorn
	// tailCorrupt: non-zero bytes follow, and a valid record starts somewhere after them.
	tailCorrupt
)

// scanResult describes a scanned segment.
type scanResult struct {
	end     int      // offset just past the last record of the unbroken run from offset 0
	tail    tailKind // what follows end
	cause   error    // why the bytes at end did not decode; nil for tailClean
	next    int      // tailCorrupt: offset of the first valid record after end
	damaged int      // tailTorn: bytes from end through the last non-zero byte
}

// scanSegment calls visit, in order, for each record of the unbroken run of valid records
// that starts at offset 0 of the segment b, then classifies the bytes after the run. It
// returns visit's first error, if any, without classifying.
func scanSegment(b []byte, visit func(off int, rec record) error) (scanResult, error) {
	off := 0
	for off < len(b) {
		rec, size, err := decodeRecord(b[off:])
		if err != nil {
			return classifyTail(b, off, size, err), nil
		}
		if err := visit(off, rec); err != nil {
			return scanResult{end: off}, err
		}
		off += size
	}
	return scanResult{end: off}, nil
}

// classifyTail classifies b[end:], where decoding failed with cause after the damaged
// record's header claimed the first owned bytes (0 if the header is not valid either). It
// looks for a valid record at every aligned offset after those bytes: appends are whole
// records at aligned offsets, so any acknowledged record after the damage would be found
// there. A valid record must have a non-zero type byte, so the search stops at the last
// non-zero byte and a zero-filled preallocated tail costs almost nothing.
func classifyTail(b []byte, end, owned int, cause error) scanResult {
	rest := b[end:]
	last := lastNonZero(rest)
	if last < 0 {
		return scanResult{end: end}
	}
	for p := max(alignment, owned); p <= last && p+headerSize <= len(rest); p += alignment {
		if _, _, err := decodeRecord(rest[p:]); err == nil {
			return scanResult{end: end, tail: tailCorrupt, cause: cause, next: end + p}
		}
	}
	return scanResult{end: end, tail: tailTorn, cause: cause, damaged: last + 1}
}

var zeroBlock [4096]byte

// lastNonZero returns the index of the last non-zero byte of b, or -1 if b is all zeros.
func lastNonZero(b []byte) int {
	for end := len(b); end > 0; {
		start := max(0, end-len(zeroBlock))
		if !bytes.Equal(b[start:end], zeroBlock[:end-start]) {
			for i := end - 1; ; i-- {
				if b[i] != 0 {
					return i
				}
			}
		}
		end = start
	}
	return -1
}
