package lease

import (
	"reflect"
	"testing"
)

func TestCommandRoundTrip(t *testing.T) {
	grants := []GrantRequest{{1, 2000}, {-1 << 63, MaxTTL}, {1<<63 - 1, 1}}
	for _, r := range grants {
		var got GrantRequest
		if err := got.Unmarshal(r.Marshal()); err != nil || got != r {
			t.Fatalf("grant %+v: got %+v, %v", r, got, err)
		}
	}
	revokes := []RevokeRequest{{1, 0}, {-7, 1<<64 - 1}}
	for _, r := range revokes {
		var got RevokeRequest
		if err := got.Unmarshal(r.Marshal()); err != nil || got != r {
			t.Fatalf("revoke %+v: got %+v, %v", r, got, err)
		}
	}
	cps := []CheckpointRequest{
		{Term: 3, Checkpoints: []Checkpoint{}},
		{Term: 9, Checkpoints: []Checkpoint{{1, 0}, {-2, 300_000}, {1 << 62, MaxTTL}}},
	}
	for _, r := range cps {
		var got CheckpointRequest
		if err := got.Unmarshal(r.Marshal()); err != nil || !reflect.DeepEqual(got, r) {
			t.Fatalf("checkpoint %+v: got %+v, %v", r, got, err)
		}
	}
}

func TestCommandRejectsBadInput(t *testing.T) {
	good := [][]byte{
		(&GrantRequest{ID: 300, TTL: 300_000}).Marshal(),
		(&RevokeRequest{ID: 300, Term: 300}).Marshal(),
		(&CheckpointRequest{Term: 1, Checkpoints: []Checkpoint{{300, 300}}}).Marshal(),
	}
	decode := []func([]byte) error{
		func(b []byte) error { return new(GrantRequest).Unmarshal(b) },
		func(b []byte) error { return new(RevokeRequest).Unmarshal(b) },
		func(b []byte) error { return new(CheckpointRequest).Unmarshal(b) },
	}
	for i, b := range good {
		for n := range len(b) {
			if decode[i](b[:n]) == nil {
				t.Errorf("command %d truncated to %d bytes decoded", i, n)
			}
		}
		if decode[i](append(b, 0)) == nil {
			t.Errorf("command %d with a trailing byte decoded", i)
		}
	}
	huge := []byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f} // term 1, 4G checkpoints
	if decode[2](huge) == nil {
		t.Error("checkpoint command claiming 4G entries decoded")
	}
	negTTL := append([]byte{2}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)
	if decode[0](negTTL) == nil {
		t.Error("grant with a TTL above MaxInt64 decoded")
	}
}

func TestStale(t *testing.T) {
	tests := []struct {
		term, entryTerm uint64
		stale           bool
	}{
		{0, 5, false}, // client revoke
		{5, 5, false}, // the lessor's own term
		{4, 5, true},  // forwarded after a leader change
		{6, 5, true},
	}
	for _, tt := range tests {
		if got := Stale(tt.term, tt.entryTerm); got != tt.stale {
			t.Errorf("Stale(%d, %d) = %v", tt.term, tt.entryTerm, got)
		}
	}
}

func FuzzCheckpointRequest(f *testing.F) {
	f.Add((&CheckpointRequest{Term: 2, Checkpoints: []Checkpoint{{1, 2}}}).Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		var r CheckpointRequest
		if r.Unmarshal(b) != nil {
			return
		}
		var again CheckpointRequest
		if err := again.Unmarshal(r.Marshal()); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("%x decoded to %+v, which does not round-trip: %+v, %v", b, r, again, err)
		}
	})
}
