package wal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

// rawData is a marshaler for arbitrary record data.
type rawData []byte

func (d rawData) Size() int { return len(d) }

func (d rawData) MarshalToSizedBuffer(b []byte) (int, error) { return copy(b, d), nil }

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDocExample keeps the worked example in doc.go true.
func TestDocExample(t *testing.T) {
	got, err := appendRecord(nil, typeHardState, &raftpb.HardState{Term: 2, Vote: 1, Commit: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, "33ee214d 06000000 14dd1ac8 000000 03 080210011805 0000")
	if !bytes.Equal(got, want) {
		t.Fatalf("frame\n got % x\nwant % x", got, want)
	}
	// The checksums the example spells out.
	for _, c := range []struct {
		over string
		want uint32
	}{
		{"06000000 14dd1ac8 000000 03", 0x4d21ee33},
		{"03 080210011805", 0xc81add14},
	} {
		if got := crc32.Checksum(mustHex(t, c.over), castagnoli); got != c.want {
			t.Errorf("crc32(%s) = %#x, want %#x", c.over, got, c.want)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 11, 12, 13, 255, 4096} {
		data := bytes.Repeat([]byte{0xa5}, n)
		buf := []byte("prefix!!") // a frame appended after other frames
		buf, err := appendRecord(buf, typeEntry, rawData(data))
		if err != nil {
			t.Fatal(err)
		}
		frame := buf[8:]
		if len(frame)%alignment != 0 || len(frame) < headerSize+n || len(frame) >= headerSize+n+alignment {
			t.Errorf("n=%d: frame of %d bytes", n, len(frame))
		}
		rec, size, err := decodeRecord(frame)
		if err != nil || size != len(frame) || rec.typ != typeEntry || !bytes.Equal(rec.data, data) {
			t.Errorf("n=%d: decode = %v, %d, %v", n, rec.typ, size, err)
		}
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	good, _ := appendRecord(nil, typeEntry, rawData("hello, world")) // 16+12 bytes, padded to 32
	tests := []struct {
		name     string
		mutate   func(b []byte) []byte
		want     error
		wantSize int // bytes the damaged record's valid header claims
	}{
		{"empty", func(b []byte) []byte { return nil }, errTruncated, 0},
		{"short header", func(b []byte) []byte { return b[:headerSize-1] }, errTruncated, 0},
		{"missing data", func(b []byte) []byte { return b[:headerSize+3] }, errTruncated, headerSize + 3},
		{"missing padding", func(b []byte) []byte { return b[:len(b)-1] }, errTruncated, 31},
		{"zeros", func(b []byte) []byte { return make([]byte, 64) }, errHeader, 0},
		{"header crc flipped", func(b []byte) []byte { b[1] ^= 1; return b }, errHeader, 0},
		{"length flipped", func(b []byte) []byte { b[5] ^= 1; return b }, errHeader, 0},
		{"data crc flipped", func(b []byte) []byte { b[9] ^= 1; return b }, errHeader, 0},
		{"reserved set", func(b []byte) []byte { b[13] = 1; return b }, errHeader, 0},
		{"type zeroed", func(b []byte) []byte { b[15] = 0; return b }, errHeader, 0},
		{"type changed", func(b []byte) []byte { b[15] = byte(typeHardState); return b }, errHeader, 0},
		{"data flipped", func(b []byte) []byte { b[headerSize+2] ^= 0x40; return b }, errChecksum, 32},
		{"data flipped, more follows", func(b []byte) []byte { b[headerSize] ^= 1; return append(b, good...) }, errChecksum, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(good))
			if _, size, err := decodeRecord(b); !errors.Is(err, tt.want) || size != tt.wantSize {
				t.Fatalf("decode = %d, %v; want %d, %v", size, err, tt.wantSize, tt.want)
			}
		})
	}
}

func TestSegmentName(t *testing.T) {
	tests := []struct {
		name      string
		seq, want uint64
		ok        bool
	}{
		{"0000000000000000-0000000000000001.wal", 0, 1, true},
		{"00000000000000ff-0000000000001000.wal", 255, 4096, true},
		{"00000000000000FF-0000000000001000.wal", 0, 0, false},
		{"0000000000000000-0000000000000001.wal.tmp", 0, 0, false},
		{"000000000000000-00000000000000001.wal", 0, 0, false},
		{"+000000000000000-0000000000000001.wal", 0, 0, false},
		{"x.wal", 0, 0, false},
	}
	for _, tt := range tests {
		seq, first, ok := parseSegmentName(tt.name)
		if ok != tt.ok || seq != tt.seq || first != tt.want {
			t.Errorf("parseSegmentName(%q) = %d, %d, %v", tt.name, seq, first, ok)
		}
		if ok && segmentName(seq, first) != tt.name {
			t.Errorf("segmentName(%d, %d) = %q", seq, first, segmentName(seq, first))
		}
	}
}
