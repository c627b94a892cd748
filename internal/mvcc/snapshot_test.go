package mvcc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

func snapshotBytes(t testing.TB, v *View) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := v.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

func TestViewIsolation(t *testing.T) {
	s := scripted(t)
	if err := s.Compact(4); err != nil {
		t.Fatal(err)
	}
	wantHash, _, _ := s.HashKV(0)
	wantAll, _ := s.Range([]byte("\x00"), []byte("\x00"), RangeOptions{})
	v := s.View()

	// Keep writing while another goroutine serialises the view.
	done := make(chan []byte)
	go func() {
		var buf bytes.Buffer
		_, _ = v.WriteTo(&buf)
		done <- buf.Bytes()
	}()
	for i := range 200 {
		if _, err := s.Put(fmt.Appendf(nil, "k%03d", i), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put([]byte("a"), fmt.Appendf(nil, "%d", i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteRange([]byte("\x00"), []byte("\x00")); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(s.Rev()); err != nil {
		t.Fatal(err)
	}
	snap := <-done
	if again := snapshotBytes(t, v); !bytes.Equal(snap, again) {
		t.Fatal("a view serialised twice gave different bytes")
	}

	r := New()
	if err := r.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	if h, c, _ := r.HashKV(0); h != wantHash || c != 4 || r.Rev() != 10 || v.Rev() != 10 || v.CompactRev() != 4 {
		t.Errorf("restored hash %08x compact %d rev %d, want %08x, 4, 10", h, c, r.Rev(), wantHash)
	}
	gotAll, _ := r.Range([]byte("\x00"), []byte("\x00"), RangeOptions{})
	if !reflect.DeepEqual(gotAll, wantAll) {
		t.Errorf("restored range = %v, want %v", gotAll.KVs, wantAll.KVs)
	}
	if kv := get(t, r, "a", 5); kv == nil || string(kv.Value) != "444" {
		t.Errorf("restored history a@5 = %+v", kv)
	}
	// The restored store carries on from the snapshot's revision.
	if res, err := r.Put([]byte("a"), []byte("next"), 0); err != nil || res.Rev != 11 {
		t.Errorf("put after restore: rev %d, %v", res.Rev, err)
	}
}

func TestRestoreRejects(t *testing.T) {
	snap := snapshotBytes(t, scripted(t).View())
	flip := func(i int) []byte {
		b := bytes.Clone(snap)
		b[i] ^= 0x40
		return b
	}
	tests := []struct {
		name string
		data []byte
		want []error
	}{
		{"empty", nil, []error{ErrCorruptSnapshot, io.ErrUnexpectedEOF}},
		{"truncated", snap[:len(snap)/2], []error{ErrCorruptSnapshot, io.ErrUnexpectedEOF}},
		{"no crc", snap[:len(snap)-4], []error{ErrCorruptSnapshot, io.ErrUnexpectedEOF}},
		{"bad magic", flip(0), []error{ErrCorruptSnapshot}},
		{"older version", append([]byte("CMVC\x01"), snap[5:]...), []error{ErrSnapshotVersion}},
		{"newer version", append([]byte("CMVC\x03"), snap[5:]...), []error{ErrSnapshotVersion}},
		{"flipped value byte", flip(len(snap) - 6), []error{ErrCorruptSnapshot}},
		{"flipped crc", flip(len(snap) - 1), []error{ErrCorruptSnapshot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scripted(t)
			before, _, _ := s.HashKV(0)
			err := s.Restore(bytes.NewReader(tt.data))
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
			if after, _, _ := s.HashKV(0); after != before || s.Rev() != 10 {
				t.Error("failed restore changed the store")
			}
		})
	}
}

func TestRestoreReadsOnlyItsOwnBytes(t *testing.T) {
	snap := snapshotBytes(t, scripted(t).View())
	br := bufio.NewReader(io.MultiReader(bytes.NewReader(snap), bytes.NewReader([]byte("tail"))))
	if err := New().Restore(br); err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(br); string(rest) != "tail" {
		t.Errorf("left %q after the snapshot, want \"tail\"", rest)
	}
}

// FuzzRestore checks that no input makes Restore panic, and that whatever
// it accepts serialises back to an equivalent state.
func FuzzRestore(f *testing.F) {
	f.Add(snapshotBytes(f, scripted(f).View()))
	f.Add(snapshotBytes(f, New().View()))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New()
		if err := s.Restore(bytes.NewReader(data)); err != nil {
			return
		}
		r := New()
		if err := r.Restore(bytes.NewReader(snapshotBytes(t, s.View()))); err != nil {
			t.Fatalf("re-reading an accepted snapshot: %v", err)
		}
		h1, _, _ := s.HashKV(0)
		h2, _, _ := r.HashKV(0)
		if h1 != h2 {
			t.Fatal("round trip changed the hash")
		}
	})
}

func TestDeterminism(t *testing.T) {
	run := func(lastValue string) uint32 {
		s := scripted(t)
		if err := s.Compact(6); err != nil {
			t.Fatal(err)
		}
		mustTxn(t, s, &TxnRequest{
			Compare: []Compare{{Key: []byte("a"), Target: TargetVersion, Result: Equal, Version: 3}},
			Success: []Op{{Type: OpDelete, Key: []byte("foo"), End: []byte("fop")}, {Type: OpPut, Key: []byte("z"), Value: []byte(lastValue)}},
		})
		h, _, err := s.HashKV(0)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if a, b := run("v"), run("v"); a != b {
		t.Errorf("same history, different hashes %08x and %08x", a, b)
	}
	if a, b := run("v"), run("w"); a == b {
		t.Errorf("different histories, same hash %08x", a)
	}

	s := scripted(t)
	h9, _, _ := s.HashKV(9)
	h10, _, _ := s.HashKV(10)
	if _, err := s.Put([]byte("x"), nil, 0); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := s.HashKV(9); again != h9 || h9 == h10 {
		t.Errorf("hash at 9 changed with later writes (%08x, %08x) or equals hash at 10", h9, again)
	}
	if _, _, err := s.HashKV(12); !errors.Is(err, ErrFutureRev) {
		t.Errorf("hash at 12: %v, want ErrFutureRev", err)
	}
}
