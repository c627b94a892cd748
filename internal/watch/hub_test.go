package watch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/mvcc"
)

// TestManyWatchers is the acceptance check: 10 000 watchers on one
// hub, spread over 100 streams, each receive every event of 1 000 writes,
// in order, none missing, none duplicated.
func TestManyWatchers(t *testing.T) {
	const streams, perStream, writes = 100, 100, 1000
	e := newEnv(t, Config{})
	var wg sync.WaitGroup
	// Seconds normally; much longer under -race on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for range streams {
		s := e.hub.NewStream()
		t.Cleanup(s.Close)
		next := map[int64]int64{} // per watcher, the revision it must get next
		for range perStream {
			next[e.watch(s, Request{Key: []byte("k/"), End: []byte("k0")})] = 2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < perStream*writes; {
				resps, err := s.Next(ctx)
				if err != nil {
					t.Errorf("after %d events: %v", n, err)
					return
				}
				for _, r := range resps {
					want := next[r.WatchID]
					for _, ev := range r.Events {
						if ev.Kv.ModRevision != want {
							t.Errorf("watcher %d got revision %d, want %d", r.WatchID, ev.Kv.ModRevision, want)
							return
						}
						want++
						n++
					}
					next[r.WatchID] = want
				}
			}
			for id, rev := range next {
				if rev != writes+2 {
					t.Errorf("watcher %d ended before revision %d, want %d", id, rev, writes+2)
				}
			}
			if len(next) != perStream {
				t.Errorf("%d watchers on a stream, want %d", len(next), perStream)
			}
		}()
	}
	start := time.Now()
	for i := range writes {
		e.put(fmt.Sprintf("k/%d", i%37), "v")
	}
	wg.Wait()
	t.Logf("%d watchers received %d writes in %v", streams*perStream, writes, time.Since(start))
}

// TestReplay starts watchers in the past, in the future and now, with
// buffers and batches small enough to make the catch-up take many rounds
// and hand over to live delivery while writes go on.
func TestReplay(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"defaults", Config{}},
		{"small buffer", Config{BufferEvents: 3}},
		{"small batches", Config{CatchUpRevs: 2, CatchUpWatchers: 1}},
		{"single events", Config{BufferEvents: 1, CatchUpRevs: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			for i := range 50 {
				e.put("a", fmt.Sprint(i)) // revisions 2..51
			}
			s := e.hub.NewStream()
			c := collect(t, s)
			old := e.watch(s, Request{Key: []byte("a"), StartRev: 10})
			now := e.watch(s, Request{Key: []byte("a")})
			future := e.watch(s, Request{Key: []byte("a"), StartRev: 80})
			all := seq("", 100)
			for _, v := range all[50:] {
				e.put("a", v) // revisions 52..101
			}
			want := puts("a", 2, all...)
			if got := c.waitEvents(t, old, 92); !slices.Equal(got, want[8:]) {
				t.Errorf("from 10:\n%s", joinLines(got))
			}
			if got := c.waitEvents(t, now, 50); !slices.Equal(got, want[50:]) {
				t.Errorf("from now:\n%s", joinLines(got))
			}
			if got := c.waitEvents(t, future, 22); !slices.Equal(got, want[78:]) {
				t.Errorf("from 80:\n%s", joinLines(got))
			}
			checkFor(t, "everyone synced", func() bool { return e.hub.Stats().Unsynced == 0 })
		})
	}
}

func TestCompactedStart(t *testing.T) {
	e := newEnv(t, Config{})
	for i := range 10 {
		e.put("a", fmt.Sprint(i)) // revisions 2..11
	}
	if err := e.store.Compact(6); err != nil {
		t.Fatal(err)
	}
	s := e.hub.NewStream()
	c := collect(t, s)
	compacted := e.watch(s, Request{Key: []byte("a"), StartRev: 6, ID: 7})
	ok := e.watch(s, Request{Key: []byte("a"), StartRev: 7})
	r := c.waitResponse(t, "compaction response", func(r Response) bool { return r.CompactRevision != 0 })
	if r.WatchID != compacted || !r.Canceled || r.CompactRevision != 7 || len(r.Events) != 0 {
		t.Errorf("compaction response %+v, want watch %d cancelled at 7", r, compacted)
	}
	if got := c.waitEvents(t, ok, 5); !slices.Equal(got, puts("a", 7, "5", "6", "7", "8", "9")) {
		t.Errorf("from 7: %q", got)
	}
	// The compacted watcher keeps its ID until the client cancels it.
	if _, err := s.Watch(context.Background(), Request{ID: 7, Key: []byte("b")}); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("reusing a compacted watcher's ID: %v", err)
	}
	if found, err := s.Cancel(context.Background(), 7); !found || err != nil {
		t.Errorf("cancel compacted watcher: %v %v", found, err)
	}
	e.watch(s, Request{ID: 7, Key: []byte("b")})
	if n := len(c.eventsOf(compacted)); n != 0 {
		t.Errorf("compacted watcher got %d events", n)
	}
}

// TestFallsBehindIntoCompaction: a watcher that stops reading falls
// behind, its history is compacted meanwhile, and it gets what it had
// buffered, then the compaction response: never a silent gap.
func TestFallsBehindIntoCompaction(t *testing.T) {
	e := newEnv(t, Config{BufferEvents: 4})
	s := e.hub.NewStream()
	id := e.watch(s, Request{Key: []byte("a")})
	for i := range 20 {
		e.put("a", fmt.Sprint(i)) // revisions 2..21
	}
	if err := e.store.Compact(15); err != nil {
		t.Fatal(err)
	}
	c := collect(t, s)
	r := c.waitResponse(t, "compaction response", func(r Response) bool { return r.CompactRevision != 0 })
	if r.WatchID != id || r.CompactRevision != 16 {
		t.Errorf("compaction response %+v", r)
	}
	if got := c.eventsOf(id); !slices.Equal(got, puts("a", 2, "0", "1", "2", "3")) {
		t.Errorf("before the compaction response: %q", got)
	}
}

// TestSlowWatcher: one watcher never reads while 100 others on other
// streams take 2 000 writes. The others finish about as fast as without
// it; the slow one never buffers more than its bound; once it reads it
// gets everything exactly once, in order.
func TestSlowWatcher(t *testing.T) {
	const bound, writes, others = 64, 2000, 100
	run := func(t *testing.T, slow bool) time.Duration {
		e := newEnv(t, Config{BufferEvents: bound})
		var slowS *Stream
		var slowW *watcher
		if slow {
			slowS = e.hub.NewStream()
			id := e.watch(slowS, Request{Key: []byte("k"), End: []byte("\x00")})
			e.hub.mu.Lock()
			slowW = slowS.watchers[id]
			e.hub.mu.Unlock()
		}
		var wg sync.WaitGroup
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		for range others {
			s := e.hub.NewStream()
			t.Cleanup(s.Close)
			e.watch(s, Request{Key: []byte("k"), End: []byte("\x00")})
			wg.Add(1)
			go func() { // a consumer as cheap as a gRPC sender can be
				defer wg.Done()
				next := int64(2)
				for next <= writes+1 {
					resps, err := s.Next(ctx)
					if err != nil {
						t.Errorf("after %d events: %v", next-2, err)
						return
					}
					for _, r := range resps {
						for _, ev := range r.Events {
							if ev.Kv.ModRevision != next {
								t.Errorf("got revision %d, want %d", ev.Kv.ModRevision, next)
							}
							next++
						}
					}
				}
			}()
		}
		start := time.Now()
		maxBuffered := 0
		for i := range writes {
			e.put(fmt.Sprintf("k%d", i%10), fmt.Sprint(i))
			if slow {
				slowS.mu.Lock()
				maxBuffered = max(maxBuffered, len(slowW.buf))
				slowS.mu.Unlock()
			}
		}
		wg.Wait()
		elapsed := time.Since(start)
		if !slow {
			return elapsed
		}
		if maxBuffered > bound {
			t.Errorf("slow watcher buffered %d events, bound %d", maxBuffered, bound)
		}
		if st := e.hub.Stats(); st.Unsynced != 1 {
			t.Errorf("stats %+v, want the slow watcher unsynced", st)
		}
		c := collect(t, slowS)
		got := c.waitEvents(t, slowW.id, writes)
		for i, ev := range got {
			if want := fmt.Sprintf("PUT k%d=%d@%d", i%10, i, i+2); ev != want {
				t.Fatalf("slow watcher's event %d is %q, want %q", i, ev, want)
			}
		}
		checkFor(t, "slow watcher synced", func() bool { return e.hub.Stats().Unsynced == 0 })
		e.put("k0", "last")
		if got := c.waitEvents(t, slowW.id, writes+1); len(got) != writes+1 {
			t.Errorf("after catching up: %d events", len(got))
		}
		return elapsed
	}
	without := run(t, false)
	with := run(t, true)
	t.Logf("%d watchers took %d writes in %v beside a stalled watcher, %v without", others, writes, with, without)
	if with > 5*without+2*time.Second {
		t.Errorf("a stalled watcher slowed the others from %v to %v", without, with)
	}
}

func TestFiltersAndPrevKV(t *testing.T) {
	e := newEnv(t, Config{})
	e.put("a", "1") // rev 2
	s := e.hub.NewStream()
	c := collect(t, s)
	tests := []struct {
		req  Request
		want []string
	}{
		{Request{}, []string{"PUT a=2@3", "DELETE a@4", "PUT a=3@5"}},
		{Request{PrevKV: true}, []string{"PUT a=2@3 prev=1", "DELETE a@4 prev=2", "PUT a=3@5"}},
		{Request{NoPut: true}, []string{"DELETE a@4"}},
		{Request{NoDelete: true, PrevKV: true}, []string{"PUT a=2@3 prev=1", "PUT a=3@5"}},
		{Request{NoPut: true, NoDelete: true}, nil},
	}
	var live, hist []int64
	for i := range tests {
		req := tests[i].req
		req.Key = []byte("a")
		live = append(live, e.watch(s, req))
	}
	e.put("a", "2")
	e.del("a", "")
	e.put("a", "3")
	for i := range tests { // the same from history
		req := tests[i].req
		req.Key, req.StartRev = []byte("a"), 3
		hist = append(hist, e.watch(s, req))
	}
	e.put("b", "sync") // a write after which everything is delivered
	checkFor(t, "catch-up", func() bool { return e.hub.Stats().Unsynced == 0 })
	for i, tt := range tests {
		for _, id := range []int64{live[i], hist[i]} {
			got := c.waitEvents(t, id, len(tt.want))
			if !slices.Equal(got, tt.want) {
				t.Errorf("%+v (watch %d): got %q, want %q", tt.req, id, got, tt.want)
			}
		}
	}
}

// TestTxnEventsTogether: a transaction's events reach a watcher in one
// response, in the transaction's order, live and from history.
func TestTxnEventsTogether(t *testing.T) {
	e := newEnv(t, Config{})
	e.put("b", "0")
	s := e.hub.NewStream()
	c := collect(t, s)
	live := e.watch(s, Request{Key: []byte("a"), End: []byte("d")})
	rev := e.txn(&mvcc.TxnRequest{Success: []mvcc.Op{
		{Type: mvcc.OpPut, Key: []byte("c"), Value: []byte("1")},
		{Type: mvcc.OpDelete, Key: []byte("b")},
		{Type: mvcc.OpPut, Key: []byte("a"), Value: []byte("2")},
	}})
	hist := e.watch(s, Request{Key: []byte("a"), End: []byte("d"), StartRev: rev})
	want := []string{"PUT c=1@3", "DELETE b@3", "PUT a=2@3"}
	for _, id := range []int64{live, hist} {
		c.waitEvents(t, id, 3)
		for _, r := range c.responses() {
			if r.WatchID == id && len(r.Events) > 0 {
				var got []string
				for _, ev := range r.Events {
					got = append(got, evString(ev))
				}
				if !slices.Equal(got, want) {
					t.Errorf("watch %d response %q, want %q in one response", id, got, want)
				}
			}
		}
	}
}

func TestProgress(t *testing.T) {
	e := newEnv(t, Config{BufferEvents: 2})
	s := e.hub.NewStream()
	a := e.watch(s, Request{Key: []byte("a"), ProgressNotify: true})
	b := e.watch(s, Request{Key: []byte("b")})
	for i := range 5 {
		e.put("b", fmt.Sprint(i)) // b falls behind: revisions 2..6
	}
	s.RequestProgress() // deferred until b has caught up
	c := collect(t, s)
	r := c.waitResponse(t, "stream progress", func(r Response) bool { return r.WatchID == AllWatchers })
	if r.Revision != 6 {
		t.Errorf("stream progress at %d, want 6", r.Revision)
	}
	if got := c.eventsOf(b); len(got) != 5 {
		t.Errorf("progress came before b's events: %q", got)
	}

	// Periodic progress: only a watcher that asked, was synced and was
	// sent nothing since the previous tick.
	s.ProgressTick()
	r = c.waitResponse(t, "watcher progress", func(r Response) bool { return r.WatchID == a && r.Revision == 6 })
	e.put("a", "x") // rev 7
	c.waitEvents(t, a, 1)
	s.ProgressTick() // a had events: skipped
	e.put("b", "y")  // rev 8
	s.ProgressTick()
	c.waitResponse(t, "watcher progress at 8", func(r Response) bool { return r.WatchID == a && r.Revision == 8 })
	var progress []int64
	for _, r := range c.responses() {
		if r.WatchID == a && len(r.Events) == 0 && !r.Created {
			progress = append(progress, r.Revision)
		}
	}
	if !slices.Equal(progress, []int64{6, 8}) {
		t.Errorf("progress responses for a at %v, want [6 8]", progress)
	}
	if slices.ContainsFunc(c.responses(), func(r Response) bool { return r.WatchID == b && len(r.Events) == 0 && !r.Created }) {
		t.Error("b got a progress response without asking")
	}
}

func TestCreateCancelAndErrors(t *testing.T) {
	e := newEnv(t, Config{})
	s := e.hub.NewStream()
	c := collect(t, s)
	ctx := context.Background()
	e.put("x", "0") // rev 2
	id := e.watch(s, Request{Key: []byte("a")})
	if id != 1 {
		t.Errorf("first chosen ID %d, want 1", id)
	}
	if got := e.watch(s, Request{ID: 2, Key: []byte("a")}); got != 2 {
		t.Errorf("requested ID 2, got %d", got)
	}
	if got := e.watch(s, Request{Key: []byte("a")}); got != 3 {
		t.Errorf("chosen ID %d, want 3 (2 is taken)", got)
	}
	errTests := []struct {
		req  Request
		want error
	}{
		{Request{ID: 1, Key: []byte("a")}, ErrDuplicateID},
		{Request{ID: -1, Key: []byte("a")}, ErrNegativeID},
		{Request{Key: []byte("b"), End: []byte("a")}, ErrEmptyRange},
		{Request{Key: []byte("a"), End: []byte("a")}, ErrEmptyRange},
	}
	for _, tt := range errTests {
		if _, err := s.Watch(ctx, tt.req); !errors.Is(err, tt.want) {
			t.Errorf("Watch(%+v): %v, want %v", tt.req, err, tt.want)
		}
	}
	if err := s.Reject(ctx, "no"); err != nil {
		t.Fatal(err)
	}
	if found, err := s.Cancel(ctx, id); !found || err != nil {
		t.Fatalf("cancel: %v %v", found, err)
	}
	if found, _ := s.Cancel(ctx, id); found {
		t.Error("cancelled twice")
	}
	e.put("a", "1")
	c.waitEvents(t, 2, 1)
	var got []string
	for _, r := range c.responses() {
		got = append(got, fmt.Sprintf("id=%d rev=%d created=%v canceled=%v reason=%q events=%d",
			r.WatchID, r.Revision, r.Created, r.Canceled, r.CancelReason, len(r.Events)))
	}
	want := []string{
		`id=1 rev=2 created=true canceled=false reason="" events=0`,
		`id=2 rev=2 created=true canceled=false reason="" events=0`,
		`id=3 rev=2 created=true canceled=false reason="" events=0`,
		`id=-1 rev=2 created=true canceled=true reason="no" events=0`,
		`id=1 rev=2 created=false canceled=true reason="" events=0`,
	}
	if !slices.Equal(got[:len(want)], want) {
		t.Errorf("responses:\n%s\nwant first:\n%s", joinLines(got), joinLines(want))
	}
	if len(c.eventsOf(1)) != 0 {
		t.Error("cancelled watcher got events")
	}
}

// TestMissedNotify: a skipped Notify (or a snapshot restore, Resync) is
// made good from history.
func TestMissedNotify(t *testing.T) {
	e := newEnv(t, Config{})
	s := e.hub.NewStream()
	c := collect(t, s)
	id := e.watch(s, Request{Key: []byte("a")})
	e.put("a", "1")
	if _, err := e.store.Put([]byte("a"), []byte("lost"), 0); err != nil { // rev 3, not notified
		t.Fatal(err)
	}
	e.put("a", "3")
	if _, err := e.store.Put([]byte("a"), []byte("restored"), 0); err != nil { // rev 5
		t.Fatal(err)
	}
	e.hub.Resync(5)
	e.put("a", "6")
	if got := c.waitEvents(t, id, 5); !slices.Equal(got, puts("a", 2, "1", "lost", "3", "restored", "6")) {
		t.Errorf("got %q", got)
	}
}

// TestControlQueueBound: a consumer that never reads makes Watch wait
// once ControlQueue responses are pending, instead of queueing forever.
func TestControlQueueBound(t *testing.T) {
	e := newEnv(t, Config{ControlQueue: 2})
	s := e.hub.NewStream()
	e.watch(s, Request{Key: []byte("a")})
	e.watch(s, Request{Key: []byte("a")})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Watch(ctx, Request{Key: []byte("a")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third Watch: %v, want to wait", err)
	}
	if _, err := s.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.watch(s, Request{Key: []byte("a")})
}

func TestClose(t *testing.T) {
	e := newEnv(t, Config{})
	s1, s2 := e.hub.NewStream(), e.hub.NewStream()
	e.watch(s1, Request{Key: []byte("a")})
	e.watch(s2, Request{Key: []byte("a"), StartRev: 1})
	s1.Close()
	if _, err := s1.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after stream Close: %v", err)
	}
	if st := e.hub.Stats(); st.Streams != 1 || st.Watchers != 1 {
		t.Errorf("after closing one stream: %+v", st)
	}
	blocked := make(chan error)
	go func() {
		for {
			if _, err := s2.Next(context.Background()); err != nil {
				blocked <- err
				return
			}
		}
	}()
	e.hub.Close()
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Errorf("Next across hub Close: %v", err)
	}
	e.put("a", "x") // ignored
	if _, err := e.hub.NewStream().Watch(context.Background(), Request{Key: []byte("a")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Watch after hub Close: %v", err)
	}
	e.hub.Close() // twice is fine
}
