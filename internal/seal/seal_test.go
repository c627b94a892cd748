package seal

import (
	"bytes"
	"errors"
	"testing"
)

func TestOpen(t *testing.T) {
	magic := []byte("TEST")
	good := End(append(Begin(magic, 1), "body"...))
	flipped := bytes.Clone(good)
	flipped[6] ^= 1
	for _, tc := range []struct {
		name string
		data []byte
		want string // "" = opens
	}{
		{"good", good, ""},
		{"empty body", End(Begin(magic, 1)), ""},
		{"short", good[:7], "bad magic"},
		{"other magic", End(append(Begin([]byte("NOPE"), 1), "body"...)), "bad magic"},
		{"other version", End(append(Begin(magic, 2), "body"...)), "unknown version 2"},
		{"damaged", flipped, "crc mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := Open(tc.data, magic, 1)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Open: %v", err)
			case tc.want == "" && tc.name == "good" && string(body) != "body":
				t.Fatalf("body %q", body)
			case tc.want != "" && (!errors.Is(err, ErrBroken) || !bytes.Contains([]byte(err.Error()), []byte(tc.want))):
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
