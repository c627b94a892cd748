package lease

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

func TestGrant(t *testing.T) {
	tests := []struct {
		name    string
		id, ttl int64
		err     error
	}{
		{"ok", 1, 2000, nil},
		{"negative ID", -5, 2000, nil},
		{"max TTL", 2, MaxTTL, nil},
		{"duplicate", 1, 2000, ErrExists},
		{"ID 0", 0, 2000, ErrNotFound},
		{"zero TTL", 3, 0, ErrInvalidTTL},
		{"too large", 3, MaxTTL + 1, ErrTTLTooLarge},
	}
	tb := NewTable()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tb.Grant(tt.id, tt.ttl)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Grant(%d, %d) = %v, want %v", tt.id, tt.ttl, err, tt.err)
			}
			if tt.err == nil {
				if got, ok := tb.Lookup(tt.id); !ok || got != (Lease{ID: tt.id, TTL: tt.ttl}) {
					t.Fatalf("Lookup(%d) = %+v, %v", tt.id, got, ok)
				}
			}
		})
	}
	if got := tb.List(); len(got) != 3 || got[0].ID != -5 || got[1].ID != 1 || got[2].ID != 2 {
		t.Fatalf("List = %+v, want IDs -5, 1, 2", got)
	}
}

// put and del build the events the store reports.
func put(key string, lease int64) mvccpb.Event {
	return mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), Lease: lease}}
}

func del(key string) mvccpb.Event {
	return mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte(key)}}
}

func keyStrings(keys [][]byte) []string {
	var s []string
	for _, k := range keys {
		s = append(s, string(k))
	}
	return s
}

// TestApplyEvents walks the worked example in events.go.
func TestApplyEvents(t *testing.T) {
	tb := NewTable()
	for _, id := range []int64{7, 9} {
		if err := tb.Grant(id, 5000); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		events []mvccpb.Event
		k7, k9 []string
	}{
		{[]mvccpb.Event{put("a", 7)}, []string{"a"}, nil},
		{[]mvccpb.Event{put("b", 7)}, []string{"a", "b"}, nil},
		{[]mvccpb.Event{put("a", 9)}, []string{"b"}, []string{"a"}},
		{[]mvccpb.Event{put("a", 9)}, []string{"b"}, []string{"a"}},
		{[]mvccpb.Event{put("b", 0)}, nil, []string{"a"}},
		{[]mvccpb.Event{del("a")}, nil, nil},
		{[]mvccpb.Event{put("x", 0), del("nothing")}, nil, nil},
		// one transaction: several keys, an overwrite and a delete
		{[]mvccpb.Event{put("c", 9), put("d", 7), put("e", 9), del("d")}, nil, []string{"c", "e"}},
	}
	for i, s := range steps {
		tb.ApplyEvents(s.events)
		if k7, k9 := keyStrings(tb.Keys(7)), keyStrings(tb.Keys(9)); !slices.Equal(k7, s.k7) || !slices.Equal(k9, s.k9) {
			t.Fatalf("step %d: keys 7 = %q, 9 = %q; want %q, %q", i, k7, k9, s.k7, s.k9)
		}
	}
	keys, err := tb.Revoke(9)
	if err != nil || !slices.Equal(keyStrings(keys), []string{"c", "e"}) {
		t.Fatalf("Revoke(9) = %q, %v", keys, err)
	}
	if tb.Exists(9) || tb.Keys(9) != nil {
		t.Fatal("lease 9 survived its revoke")
	}
	tb.ApplyEvents([]mvccpb.Event{del("c"), del("e")}) // the revoke's own deletions
	tb.ApplyEvents([]mvccpb.Event{put("c", 7)})
	if got := keyStrings(tb.Keys(7)); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("keys 7 = %q", got)
	}
	if _, err := tb.Revoke(9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Revoke(9) = %v, want ErrNotFound", err)
	}
}

func TestApplyEventsUnknownLeasePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a put with an unknown lease")
		}
	}()
	NewTable().ApplyEvents([]mvccpb.Event{put("a", 42)})
}

func TestCheckpoint(t *testing.T) {
	tb := NewTable()
	tb.Grant(1, 600_000)
	tb.Checkpoint([]Checkpoint{{ID: 1, Remaining: 300_000}, {ID: 2, Remaining: 5}})
	if l, _ := tb.Lookup(1); l.Remaining != 300_000 {
		t.Fatalf("Remaining = %d", l.Remaining)
	}
	if tb.Exists(2) {
		t.Fatal("checkpoint created a lease")
	}
	tb.Checkpoint([]Checkpoint{{ID: 1}})
	if l, _ := tb.Lookup(1); l.Remaining != 0 {
		t.Fatalf("Remaining after clear = %d", l.Remaining)
	}
}

func BenchmarkTableGrantRevoke(b *testing.B) {
	tb := NewTable()
	ev := []mvccpb.Event{put("", 0)}
	keys := make([][]byte, 1024)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "/sessions/%d", i)
	}
	b.ReportAllocs()
	for i := range b.N {
		id := int64(i + 1)
		if err := tb.Grant(id, 10_000); err != nil {
			b.Fatal(err)
		}
		ev[0].Kv.Key, ev[0].Kv.Lease = keys[i%len(keys)], id
		tb.ApplyEvents(ev)
		if _, err := tb.Revoke(id); err != nil {
			b.Fatal(err)
		}
	}
}
