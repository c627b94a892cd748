package mvcc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

func eventString(ev *mvccpb.Event) string {
	s := fmt.Sprintf("%s %s@%d", ev.Type, ev.Kv.Key, ev.Kv.ModRevision)
	if ev.Type == mvccpb.PUT {
		s += fmt.Sprintf("=%s/%d/%d/%d", ev.Kv.Value, ev.Kv.CreateRevision, ev.Kv.Version, ev.Kv.Lease)
	}
	if p := ev.PrevKv; p != nil {
		s += fmt.Sprintf(" prev %s=%s@%d/%d/%d/%d", p.Key, p.Value, p.CreateRevision, p.ModRevision, p.Version, p.Lease)
	}
	return s
}

func eventStrings(evs []mvccpb.Event) []string {
	var out []string
	for i := range evs {
		out = append(out, eventString(&evs[i]))
	}
	return out
}

func TestEventsScripted(t *testing.T) {
	s := scripted(t)
	mustTxn(t, s, &TxnRequest{Success: []Op{ // rev 11: order e, b, a within the revision
		{Type: OpPut, Key: []byte("e"), Value: []byte("y")},
		{Type: OpDelete, Key: []byte("b")},
		{Type: OpPut, Key: []byte("a"), Value: []byte("z")},
	}})
	tests := []struct {
		name     string
		key, end string
		from, to int64
		limit    int
		want     []string
	}{
		{"one key, all history", "a", "", 1, 11, 0, []string{
			"PUT a@2=1/2/1/0",
			"PUT a@5=444/2/2/0 prev a=1@2/2/1/0",
			"PUT a@10=0/2/3/0 prev a=444@2/5/2/0",
			"PUT a@11=z/2/4/0 prev a=0@2/10/3/0",
		}},
		{"delete and recreate", "b", "", 3, 7, 0, []string{
			"PUT b@3=22/3/1/0",
			"DELETE b@6 prev b=22@3/3/1/0",
			"PUT b@7=5/7/1/0",
		}},
		{"txn order kept across keys", "\x00", "\x00", 11, 11, 0, []string{
			"PUT e@11=y/8/2/0 prev e=z@8/8/1/0",
			"DELETE b@11 prev b=5@7/7/1/0",
			"PUT a@11=z/2/4/0 prev a=0@2/10/3/0",
		}},
		{"prefix window", "foo", "fop", 8, 9, 0, []string{
			"PUT foo@8=x/8/1/0",
			"PUT foo/bar@9=y/9/1/0",
		}},
		{"limit never splits a revision", "\x00", "\x00", 7, 11, 2, []string{
			"PUT b@7=5/7/1/0",
			"PUT e@8=z/8/1/0",
			"PUT foo@8=x/8/1/0",
		}},
		{"limit reached exactly", "\x00", "\x00", 7, 11, 3, []string{
			"PUT b@7=5/7/1/0",
			"PUT e@8=z/8/1/0",
			"PUT foo@8=x/8/1/0",
		}},
		{"from 0 reads from 1", "c", "", 0, 11, 0, []string{"PUT c@4=3/4/1/7"}},
		{"empty window", "a", "", 6, 9, 0, nil},
		{"inverted window", "a", "", 9, 6, 0, nil},
		{"empty range", "b", "a", 1, 11, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := s.Events([]byte(tt.key), []byte(tt.end), tt.from, tt.to, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := eventStrings(evs); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEventsErrors(t *testing.T) {
	s := scripted(t)
	if err := s.Compact(5); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, to int64
		want     error
	}{
		{5, 10, ErrCompacted},
		{1, 10, ErrCompacted},
		{0, 10, ErrCompacted},
		{6, 11, ErrFutureRev},
		{6, 10, nil},
	}
	for _, tt := range tests {
		if _, err := s.Events([]byte("a"), nil, tt.from, tt.to, 0); !errors.Is(err, tt.want) {
			t.Errorf("Events(%d, %d): %v, want %v", tt.from, tt.to, err, tt.want)
		}
	}
	// After compacting at 5, a's change at 10 still knows it replaced 444.
	evs, _ := s.Events([]byte("a"), nil, 6, 10, 0)
	if got := eventStrings(evs); !slices.Equal(got, []string{"PUT a@10=0/2/3/0 prev a=444@2/5/2/0"}) {
		t.Errorf("after compaction got %q", got)
	}
}

// historyModel records the events every transaction reported and derives
// what Events must return from them.
type historyModel struct {
	byRev      map[int64][]mvccpb.Event
	compactRev int64
}

// collapse turns one revision's reported events into what history keeps:
// one event per key, at its last write's position, with the final Kv and
// type and the PrevKv from before the transaction.
func collapse(evs []mvccpb.Event) []mvccpb.Event {
	last := map[string]int{}
	first := map[string]int{}
	for i := range evs {
		k := string(evs[i].Kv.Key)
		if _, ok := first[k]; !ok {
			first[k] = i
		}
		last[k] = i
	}
	var out []mvccpb.Event
	for i := range evs {
		k := string(evs[i].Kv.Key)
		if last[k] != i {
			continue
		}
		ev := evs[i]
		ev.PrevKv = evs[first[k]].PrevKv
		out = append(out, ev)
	}
	return out
}

func (m *historyModel) events(key, end string, from, to int64, limit int) []string {
	var out []string
	for rev := max(from, 1); rev <= to; rev++ {
		if limit > 0 && len(out) >= limit {
			break
		}
		for _, ev := range collapse(m.byRev[rev]) {
			if inRange(string(ev.Kv.Key), key, end) {
				out = append(out, eventString(&ev))
			}
		}
	}
	return out
}

// TestEventsAgainstTxnEvents checks Events over random histories, with
// compactions and snapshot round trips, against the events the
// transactions themselves reported.
func TestEventsAgainstTxnEvents(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x6576656e))
			s, m := New(), &historyModel{byRev: map[int64][]mvccpb.Event{}}
			for step := 0; step < 300; step++ {
				switch n := rng.IntN(25); {
				case n == 0 && s.Rev() > m.compactRev:
					rev := m.compactRev + 1 + rng.Int64N(s.Rev()-m.compactRev)
					if err := s.Compact(rev); err != nil {
						t.Fatalf("compact %d: %v", rev, err)
					}
					m.compactRev = rev
				case n == 1:
					s = restored(t, s)
				default:
					res, err := s.Txn(randomTxn(rng))
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					if len(res.Events) > 0 {
						m.byRev[res.Rev] = res.Events
					}
				}
				checkEvents(t, s, m, rng)
			}
		})
	}
}

func checkEvents(t *testing.T, s *Store, m *historyModel, rng *rand.Rand) {
	t.Helper()
	key, end := randomSpan(rng)
	from := rng.Int64N(s.Rev() + 1)
	to := from + rng.Int64N(s.Rev()-from+1)
	limit := rng.IntN(5)
	evs, err := s.Events([]byte(key), []byte(end), from, to, limit)
	if max(from, 1) <= m.compactRev {
		if !errors.Is(err, ErrCompacted) {
			t.Fatalf("events from %d, compacted at %d: err = %v", from, m.compactRev, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("events [%q, %q) %d..%d: %v", key, end, from, to, err)
	}
	if got, want := eventStrings(evs), m.events(key, end, from, to, limit); !slices.Equal(got, want) {
		t.Fatalf("events [%q, %q) %d..%d limit %d:\n got %q\nwant %q", key, end, from, to, limit, got, want)
	}
}

func BenchmarkEvents(b *testing.B) {
	keys, value := benchKeySet(), make([]byte, 256)
	s := New()
	for i := range 10 * benchKeys {
		if _, err := s.Put(keys[i%benchKeys], value, 0); err != nil {
			b.Fatal(err)
		}
	}
	prefix, end := []byte("/registry/pods/"), []byte("/registry/pods0")
	b.ReportAllocs()
	for b.Loop() {
		// A watcher of the whole prefix catching up 1000 revisions.
		evs, err := s.Events(prefix, end, s.Rev()-999, s.Rev(), 0)
		if err != nil || len(evs) != 1000 {
			b.Fatal(len(evs), err)
		}
	}
}
