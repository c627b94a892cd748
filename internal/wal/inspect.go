package wal

import (
	"fmt"
	"os"
)

// RecordInfo locates one record inside a segment file.
type RecordInfo struct {
	Offset  int   // where the record's frame starts
	Size    int   // frame size, header and padding included
	DataOff int   // where its data starts
	DataLen int   // length of its data
	Type    uint8 // 1 segment header, 2 entry, 3 hard state, 4 snapshot marker
}

// Inspect lists the unbroken run of valid records at the start of the
// segment file at path, and the offset just past them. It only reads; it is
// for operators' tools and for tests that damage a WAL on purpose.
func Inspect(path string) ([]RecordInfo, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("wal: inspect %s: %w", path, err)
	}
	var out []RecordInfo
	res, _ := scanSegment(b, func(off int, rec record) error {
		out = append(out, RecordInfo{Offset: off, Size: int(frameSize(uint64(len(rec.data)))), DataOff: off + headerSize, DataLen: len(rec.data), Type: uint8(rec.typ)})
		return nil
	})
	return out, res.end, nil
}
