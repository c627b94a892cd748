package watch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

var stressKeys = []string{"a", "a/1", "a/2", "b", "b/1", "c"}

// TestRandomized runs random writes, compactions, creates (in the past, at
// compacted revisions, now, in the future) and cancels against tiny
// buffers and batches, with consumers that stall at random, and checks
// every watcher's events against the transactions' own: exactly the
// events in its range from its start, in order, with its filters, or a
// prefix of them followed by a compaction response.
func TestRandomized(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runRandomized(t, seed) })
	}
}

type stressWatcher struct {
	req     Request
	s       int   // stream index
	id      int64 // 0 until created
	created int64 // created response revision
}

func runRandomized(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x77617463))
	e := newEnv(t, Config{BufferEvents: 1 + rng.IntN(4), CatchUpRevs: 1 + rng.IntN(3), CatchUpWatchers: 1 + rng.IntN(3)})
	byRev := map[int64][]mvccpb.Event{}
	const nstreams = 4
	streams := make([]*Stream, nstreams)
	colls := make([]*stallingCollector, nstreams)
	for i := range streams {
		streams[i] = e.hub.NewStream()
		colls[i] = newStallingCollector(t, streams[i], rng.Uint64())
		e.watch(streams[i], Request{Key: []byte("never")}) // so RequestProgress always answers
	}
	var ws []*stressWatcher
	compactRev := int64(0)
	for step := range 400 {
		switch n := rng.IntN(20); {
		case n < 3:
			w := &stressWatcher{s: rng.IntN(nstreams), req: randomRequest(rng, e.store.Rev())}
			id, err := streams[w.s].Watch(context.Background(), w.req)
			if err != nil {
				t.Fatalf("step %d: watch %+v: %v", step, w.req, err)
			}
			w.id = id
			ws = append(ws, w)
		case n == 3 && len(ws) > 0:
			w := ws[rng.IntN(len(ws))]
			if _, err := streams[w.s].Cancel(context.Background(), w.id); err != nil {
				t.Fatal(err)
			}
		case n == 4 && e.store.Rev() > compactRev+1:
			compactRev += 1 + rng.Int64N(min(3, e.store.Rev()-compactRev-1))
			if err := e.store.Compact(compactRev); err != nil {
				t.Fatal(err)
			}
		default:
			res, err := e.store.Txn(randomDistinctTxn(rng))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Events) > 0 {
				byRev[res.Rev] = res.Events
				e.hub.Notify(res.Rev, res.Events)
			}
		}
	}
	last := e.store.Rev()
	for i, c := range colls {
		c.stallLess()
		// The stream-wide progress response comes once every watcher has
		// been handed everything up to its revision.
		streams[i].RequestProgress()
		checkFor(t, fmt.Sprintf("stream %d's progress to reach %d", i, last), func() bool { return c.progressRev() >= last })
	}
	for _, w := range ws {
		c := colls[w.s]
		got, final := c.result(w.id)
		if final.Canceled && final.CompactRevision == 0 {
			continue // cancelled by the test: any prefix will do; checked below
		}
		created := c.createdRev(w.id)
		want := expected(byRev, w.req, created, last)
		switch {
		case final.CompactRevision != 0:
			if len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
				t.Fatalf("watcher %+v (id %d, compacted at %d): not a prefix:\n got %q\nwant %q", w.req, w.id, final.CompactRevision, got, want)
			}
		case !slices.Equal(got, want):
			t.Fatalf("watcher %+v (id %d, created at %d):\n got %q\nwant %q", w.req, w.id, created, got, want)
		}
	}
	for _, w := range ws { // cancelled ones: a prefix
		got, final := colls[w.s].result(w.id)
		if final.Canceled && final.CompactRevision == 0 {
			want := expected(byRev, w.req, colls[w.s].createdRev(w.id), last)
			if len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
				t.Fatalf("cancelled watcher %+v: not a prefix:\n got %q\nwant %q", w.req, got, want)
			}
		}
	}
}

func randomRequest(rng *rand.Rand, rev int64) Request {
	key := stressKeys[rng.IntN(len(stressKeys))]
	r := Request{Key: []byte(key)}
	switch rng.IntN(3) {
	case 1:
		r.End = []byte("\x00")
	case 2:
		r.End = []byte(key[:len(key)-1] + string(key[len(key)-1]+1))
	}
	switch rng.IntN(4) {
	case 1:
		r.StartRev = 1 + rng.Int64N(rev)
	case 2:
		r.StartRev = rev + rng.Int64N(5)
	}
	r.PrevKV = rng.IntN(2) == 0
	r.NoPut = rng.IntN(6) == 0
	r.NoDelete = rng.IntN(6) == 0
	return r
}

// randomDistinctTxn writes distinct keys, as the etcd API requires, so
// live delivery and history replay agree event for event.
func randomDistinctTxn(rng *rand.Rand) *mvcc.TxnRequest {
	var ops []mvcc.Op
	for _, i := range rng.Perm(len(stressKeys))[:1+rng.IntN(3)] {
		k := []byte(stressKeys[i])
		if rng.IntN(3) == 0 {
			ops = append(ops, mvcc.Op{Type: mvcc.OpDelete, Key: k})
		} else {
			ops = append(ops, mvcc.Op{Type: mvcc.OpPut, Key: k, Value: fmt.Appendf(nil, "%d", rng.IntN(1000))})
		}
	}
	return &mvcc.TxnRequest{Success: ops}
}

func expected(byRev map[int64][]mvccpb.Event, r Request, created, last int64) []string {
	w := &watcher{key: r.Key, end: r.End, noPut: r.NoPut, noDelete: r.NoDelete}
	from := r.StartRev
	if from <= 0 {
		from = created + 1
	}
	var out []string
	for rev := from; rev <= last; rev++ {
		for _, ev := range byRev[rev] {
			if !w.contains(ev.Kv.Key) || !w.wants(&ev) {
				continue
			}
			if !r.PrevKV {
				ev.PrevKv = nil
			}
			out = append(out, evString(&ev))
		}
	}
	return out
}

// stallingCollector consumes a stream, pausing at random for up to a few
// milliseconds between calls, and checks that a revision never spans two
// responses.
type stallingCollector struct {
	t      testing.TB
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex // protects the fields below
	rng      *rand.Rand
	stall    bool
	events   map[int64][]string
	final    map[int64]Response // cancel or compaction
	created  map[int64]int64
	lastRev  map[int64]int64 // revision of the last event received
	progress int64           // highest stream-wide progress revision
}

func newStallingCollector(t testing.TB, s *Stream, seed uint64) *stallingCollector {
	ctx, cancel := context.WithCancel(context.Background())
	c := &stallingCollector{
		t: t, cancel: cancel, done: make(chan struct{}), rng: rand.New(rand.NewPCG(seed, 1)), stall: true,
		events: map[int64][]string{}, final: map[int64]Response{}, created: map[int64]int64{}, lastRev: map[int64]int64{},
	}
	go func() {
		defer close(c.done)
		for {
			resps, err := s.Next(ctx)
			if err != nil {
				return
			}
			c.record(resps)
			c.mu.Lock()
			d := time.Duration(0)
			if c.stall && c.rng.IntN(3) == 0 {
				d = time.Duration(c.rng.IntN(3000)) * time.Microsecond
			}
			c.mu.Unlock()
			time.Sleep(d)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

func (c *stallingCollector) record(resps []Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range resps {
		switch {
		case r.Created:
			c.created[r.WatchID] = r.Revision
		case r.Canceled:
			if _, compacted := c.final[r.WatchID]; !compacted {
				c.final[r.WatchID] = r
			}
		case r.WatchID == AllWatchers:
			c.progress = max(c.progress, r.Revision)
		case len(r.Events) > 0:
			if _, done := c.final[r.WatchID]; done {
				c.t.Errorf("watcher %d got events after its final response", r.WatchID)
			}
			if first := r.Events[0].Kv.ModRevision; first <= c.lastRev[r.WatchID] {
				c.t.Errorf("watcher %d: response starts at revision %d after one that reached %d", r.WatchID, first, c.lastRev[r.WatchID])
			}
			c.lastRev[r.WatchID] = r.Events[len(r.Events)-1].Kv.ModRevision
			for _, ev := range r.Events {
				c.events[r.WatchID] = append(c.events[r.WatchID], evString(ev))
			}
		}
	}
}

func (c *stallingCollector) stallLess() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stall = false
}

func (c *stallingCollector) progressRev() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.progress
}

func (c *stallingCollector) result(id int64) ([]string, Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.events[id]...), c.final[id]
}

func (c *stallingCollector) createdRev(id int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.created[id]
}
