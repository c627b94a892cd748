package wal

import (
	"bytes"
	"fmt"
	"testing"
)

// testSegment returns a segment image of records holding the given data, and the offset at
// which each record starts.
func testSegment(t testing.TB, datas ...string) ([]byte, []int) {
	t.Helper()
	var b []byte
	var offs []int
	for _, d := range datas {
		offs = append(offs, len(b))
		var err error
		if b, err = appendRecord(b, typeEntry, rawData(d)); err != nil {
			t.Fatal(err)
		}
	}
	return b, offs
}

func TestScanSegment(t *testing.T) {
	img, offs := testSegment(t, "first record", "second", "the third record", "4th")
	end := len(img)
	flip := func(at int) func([]byte) []byte {
		return func(b []byte) []byte { b[at] ^= 0x10; return b }
	}
	tests := []struct {
		name     string
		mutate   func([]byte) []byte
		wantEnd  int
		wantTail tailKind
		wantNext int
	}{
		{"intact", func(b []byte) []byte { return b }, end, tailClean, 0},
		{"empty", func(b []byte) []byte { return nil }, 0, tailClean, 0},
		{"zero tail", func(b []byte) []byte { return append(b, make([]byte, 5000)...) }, end, tailClean, 0},
		{"short zero tail", func(b []byte) []byte { return append(b, 0, 0, 0) }, end, tailClean, 0},
		{"cut inside last header", func(b []byte) []byte { return b[:offs[3]+5] }, offs[3], tailTorn, 0},
		{"cut inside last data", func(b []byte) []byte { return b[:offs[3]+13] }, offs[3], tailTorn, 0},
		{"last data flipped", flip(offs[3] + headerSize), offs[3], tailTorn, 0},
		{"last data zeroed", func(b []byte) []byte { clear(b[offs[3]+headerSize:]); return b }, offs[3], tailTorn, 0},
		{"garbage after end", func(b []byte) []byte { return append(b, 1, 2, 3, 4, 5, 6, 7, 8, 9) }, end, tailTorn, 0},
		{"middle data flipped", flip(offs[1] + headerSize + 1), offs[1], tailCorrupt, offs[2]},
		{"middle length flipped", flip(offs[1] + 5), offs[1], tailCorrupt, offs[2]},
		{"middle header zeroed", func(b []byte) []byte { clear(b[offs[1] : offs[1]+headerSize]); return b }, offs[1], tailCorrupt, offs[2]},
		{"first type flipped", flip(offs[0] + 15), 0, tailCorrupt, offs[1]},
		{"frame inside damaged record", func(b []byte) []byte {
			// A torn record whose data holds the image of a valid record: the damaged
			// record's valid header claims those bytes, so they are not a later record.
			inner, _ := appendRecord(nil, typeEntry, rawData("inner"))
			outer, _ := appendRecord(nil, typeEntry, rawData(append(inner, "xyz"...)))
			outer[headerSize+len(inner)] ^= 1
			return append(b, outer...)
		}, end, tailTorn, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(img))
			var visited []int
			res, err := scanSegment(b, func(off int, rec record) error {
				visited = append(visited, off)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.end != tt.wantEnd || res.tail != tt.wantTail || res.next != tt.wantNext {
				t.Fatalf("scan = end %d tail %d next %d (cause %v), want end %d tail %d next %d",
					res.end, res.tail, res.next, res.cause, tt.wantEnd, tt.wantTail, tt.wantNext)
			}
			if want := countBelow(offs, tt.wantEnd); len(visited) != want {
				t.Fatalf("visited %v, want the %d records before offset %d", visited, want, tt.wantEnd)
			}
			if (res.cause == nil) != (tt.wantTail == tailClean) {
				t.Fatalf("cause %v with tail %d", res.cause, res.tail)
			}
		})
	}
}

func countBelow(offs []int, end int) int {
	n := 0
	for _, o := range offs {
		if o < end {
			n++
		}
	}
	return n
}

func TestScanSegmentVisitError(t *testing.T) {
	img, offs := testSegment(t, "a", "b", "c")
	res, err := scanSegment(img, func(off int, rec record) error {
		if off == offs[1] {
			return fmt.Errorf("stop")
		}
		return nil
	})
	if err == nil || res.end != offs[1] {
		t.Fatalf("scan = end %d, err %v; want end %d and an error", res.end, err, offs[1])
	}
}

func TestLastNonZero(t *testing.T) {
	for _, n := range []int{0, 1, 4095, 4096, 4097, 10000} {
		b := make([]byte, n)
		if got := lastNonZero(b); got != -1 {
			t.Errorf("zeros(%d): got %d", n, got)
		}
		for _, at := range []int{0, n / 2, n - 1} {
			if n == 0 {
				continue
			}
			b := make([]byte, n)
			b[at] = 1
			if got := lastNonZero(b); got != at {
				t.Errorf("len %d, non-zero at %d: got %d", n, at, got)
			}
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	img, _ := testSegment(f, "seed", "", "a longer seed record")
	f.Add(img)
	f.Add(img[:20])
	f.Add(make([]byte, 32))
	f.Add(mustHex(f, "33ee214d 06000000 14dd1ac8 000000 03 080210011805 0000"))
	f.Add(mustHex(f, "33ee214d ffffffff 14dd1ac8 000000 03 080210011805 0000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, size, err := decodeRecord(b)
		if err != nil {
			if size < 0 || size > len(b) || size%alignment != 0 && size != len(b) {
				t.Fatalf("error %v with claimed size %d of %d bytes", err, size, len(b))
			}
			return
		}
		if size > len(b) || size%alignment != 0 || size < headerSize+len(rec.data) || rec.typ == 0 {
			t.Fatalf("decoded type %d, %d data bytes, frame size %d from %d bytes", rec.typ, len(rec.data), size, len(b))
		}
		again, err := appendRecord(nil, rec.typ, rawData(rec.data))
		if err != nil || !bytes.Equal(again[:headerSize+len(rec.data)], b[:headerSize+len(rec.data)]) {
			t.Fatalf("re-encoding differs:\n% x\n% x", again, b[:size])
		}
	})
}

func FuzzScanSegment(f *testing.F) {
	img, offs := testSegment(f, "one", "two two", "three three three")
	f.Add(img)
	f.Add(append(bytes.Clone(img), make([]byte, 100)...))
	f.Add(img[:offs[2]+3])
	broken := bytes.Clone(img)
	broken[offs[1]+headerSize] ^= 1
	f.Add(broken)
	f.Fuzz(func(t *testing.T, b []byte) {
		last := -1
		res, err := scanSegment(b, func(off int, rec record) error {
			if off <= last || off%alignment != 0 {
				t.Fatalf("visited offset %d after %d", off, last)
			}
			last = off
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.end < 0 || res.end > len(b) || res.end%alignment != 0 || last >= res.end {
			t.Fatalf("end %d of %d bytes, last record at %d", res.end, len(b), last)
		}
		switch res.tail {
		case tailClean:
			if lastNonZero(b[res.end:]) >= 0 {
				t.Fatalf("clean tail at %d holds non-zero bytes", res.end)
			}
		case tailTorn:
			if res.damaged <= 0 || res.end+res.damaged > len(b) {
				t.Fatalf("torn tail at %d: %d damaged bytes of %d", res.end, res.damaged, len(b))
			}
		case tailCorrupt:
			if _, _, err := decodeRecord(b[res.next:]); res.next <= res.end || err != nil {
				t.Fatalf("corrupt at %d: next %d does not decode: %v", res.end, res.next, err)
			}
		}
	})
}
