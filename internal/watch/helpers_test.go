package watch

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// waitFor bounds every poll; generous because -race slows everything.
const waitFor = 20 * time.Second

var _ Store = (*mvcc.Store)(nil)

func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "leaked goroutines: %d after the tests, %d before:\n%s",
				n, before, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

// checkFor polls cond until it holds, failing the test after waitFor.
func checkFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitFor, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// env is a store with a hub over it; writes go to both, as the apply
// goroutine will do.
type env struct {
	t     testing.TB
	store *mvcc.Store
	hub   *Hub
}

func newEnv(t testing.TB, cfg Config) *env {
	s := mvcc.New()
	h := New(s, cfg)
	t.Cleanup(h.Close)
	return &env{t: t, store: s, hub: h}
}

func (e *env) txn(req *mvcc.TxnRequest) int64 {
	e.t.Helper()
	res, err := e.store.Txn(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(res.Events) > 0 {
		e.hub.Notify(res.Rev, res.Events)
	}
	return res.Rev
}

func (e *env) put(key, value string) int64 {
	e.t.Helper()
	return e.txn(&mvcc.TxnRequest{Success: []mvcc.Op{{Type: mvcc.OpPut, Key: []byte(key), Value: []byte(value)}}})
}

func (e *env) del(key, end string) int64 {
	e.t.Helper()
	return e.txn(&mvcc.TxnRequest{Success: []mvcc.Op{{Type: mvcc.OpDelete, Key: []byte(key), End: []byte(end)}}})
}

func (e *env) watch(s *Stream, req Request) int64 {
	e.t.Helper()
	id, err := s.Watch(context.Background(), req)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// evString renders an event compactly: "PUT k=v@rev" or "DELETE k@rev",
// with " prev=v" when it carries a previous version.
func evString(ev *mvccpb.Event) string {
	var s string
	if ev.Type == mvccpb.PUT {
		s = fmt.Sprintf("PUT %s=%s@%d", ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision)
	} else {
		s = fmt.Sprintf("DELETE %s@%d", ev.Kv.Key, ev.Kv.ModRevision)
	}
	if ev.PrevKv != nil {
		s += fmt.Sprintf(" prev=%s", ev.PrevKv.Value)
	}
	return s
}

// collector consumes a stream on a goroutine of its own, recording every
// response, until the stream closes or stop is called.
type collector struct {
	s      *Stream
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex // protects the fields below
	resps  []Response // every response, events copied
	events map[int64][]string
}

func collect(t testing.TB, s *Stream) *collector {
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{s: s, cancel: cancel, done: make(chan struct{}), events: map[int64][]string{}}
	go func() {
		defer close(c.done)
		for {
			resps, err := s.Next(ctx)
			if err != nil {
				return
			}
			c.mu.Lock()
			for _, r := range resps {
				r.Events = append([]*mvccpb.Event(nil), r.Events...)
				c.resps = append(c.resps, r)
				for _, ev := range r.Events {
					c.events[r.WatchID] = append(c.events[r.WatchID], evString(ev))
				}
			}
			c.mu.Unlock()
		}
	}()
	t.Cleanup(c.stop)
	return c
}

func (c *collector) stop() {
	c.cancel()
	<-c.done
}

func (c *collector) eventsOf(id int64) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.events[id]...)
}

func (c *collector) responses() []Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Response(nil), c.resps...)
}

// waitEvents waits until watcher id has n events and returns them.
func (c *collector) waitEvents(t testing.TB, id int64, n int) []string {
	t.Helper()
	checkFor(t, fmt.Sprintf("%d events for watcher %d", n, id), func() bool { return len(c.eventsOf(id)) >= n })
	return c.eventsOf(id)
}

// waitResponse waits for a response matching ok and returns it.
func (c *collector) waitResponse(t testing.TB, what string, ok func(Response) bool) Response {
	t.Helper()
	var found Response
	checkFor(t, what, func() bool {
		for _, r := range c.responses() {
			if ok(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

// puts returns the events "PUT key=v<i>@rev" expected for puts of
// successive values starting at revision from.
func puts(key string, from int64, values ...string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf("PUT %s=%s@%d", key, v, from+int64(i))
	}
	return out
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func joinLines(ss []string) string { return strings.Join(ss, "\n") }
