package znode

import (
	"errors"
	"reflect"
	"testing"
)

var sampleRequests = []Request{
	{},
	{Session: 7, Now: 1_700_000_000_000, Ops: []Op{{Kind: OpCreate, Path: "/a", Data: []byte("x"), ACL: OpenACL, Mode: EphemeralSequential, TTL: NoTTL, Version: -1}}},
	{Session: -3, Auth: []ID{{"ip", "127.0.0.1"}, {"digest", "u:h"}}, Ops: []Op{
		{Kind: OpCreate, Path: "/t", ACL: []ACL{{PermRead | PermAdmin, ID{"auth", ""}}}, Mode: PersistentTTL, TTL: MaxTTL},
		{Kind: OpSetData, Path: "/t", Data: make([]byte, 300), Version: 1 << 30},
		{Kind: OpCheck, Path: "/t", Version: -1},
		{Kind: OpSetACL, Path: "/t", ACL: OpenACL, Version: 0},
		{Kind: OpDelete, Path: "/t", Version: -(1 << 31)},
	}},
	{Term: 1 << 40, Now: -1, Ops: []Op{{Kind: OpExpire, Path: "/t", Zxid: 1 << 62}}},
}

func TestCodecRoundTrip(t *testing.T) {
	for i, r := range sampleRequests {
		var got Request
		if err := got.Unmarshal(r.Marshal()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("request %d: round trip gave %+v, want %+v", i, got, r)
		}
	}
	good := sampleRequests[2].Marshal()
	for name, bad := range map[string][]byte{
		"empty":        nil,
		"version 2":    append([]byte{2}, good[1:]...),
		"truncated":    good[:len(good)-1],
		"trailing":     append(good[:len(good):len(good)], 0),
		"huge count":   {1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"huge string":  {1, 0, 0, 0, 1, 0xff, 0xff, 0x03},
		"bad varint":   {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"out of range": append([]byte{1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, 0x80, 0x80, 0x80, 0x80, 0x20, 0),
	} {
		var r Request
		if err := r.Unmarshal(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Unmarshal(% x) = %v, want ErrMalformed", name, bad, err)
		}
	}
}

// FuzzRequest checks that the decoder never panics nor allocates wildly
// on any input, and that whatever it accepts encodes back to a request
// that decodes to the same value. The seed corpus is in
// testdata/fuzz/FuzzRequest.
func FuzzRequest(f *testing.F) {
	for _, r := range sampleRequests {
		f.Add(r.Marshal())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Request
		if err := r.Unmarshal(data); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		var again Request
		if err := again.Unmarshal(r.Marshal()); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-encoding %+v decoded to %+v, %v", r, again, err)
		}
	})
}
