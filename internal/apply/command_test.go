package apply

import (
	"bytes"
	"errors"
	"testing"
)

func TestCommandRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		id   uint64
		pl   []byte
	}{
		{KindPut, 300, []byte("payload")},
		{KindTxn, 0, nil},
		{KindCompact, 1<<64 - 1, []byte{0}},
	} {
		got, err := Decode(Encode(tc.kind, tc.id, tc.pl))
		if err != nil || got.Kind != tc.kind || got.ID != tc.id || !bytes.Equal(got.Payload, tc.pl) {
			t.Fatalf("round trip of %+v = %+v, %v", tc, got, err)
		}
	}
	if got := Encode(KindPut, 300, nil); !bytes.Equal(got, []byte{1, 1, 0xac, 2}) {
		t.Fatalf("Encode layout = % x, want 01 01 ac 02", got)
	}
	for _, bad := range [][]byte{nil, {1}, {2, 1, 0}, {1, 1, 0x80}} {
		if _, err := Decode(bad); !errors.Is(err, ErrBadCommand) {
			t.Fatalf("Decode(% x) = %v, want ErrBadCommand", bad, err)
		}
	}
}
