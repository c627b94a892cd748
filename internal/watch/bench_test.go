package watch

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkNotify measures fan-out end to end: one op is one write
// (store Put + Notify) delivered to every watcher, 100 watchers per
// stream, each stream drained by a consumer goroutine that only counts.
// ns/delivery is the wall time per event handed to one watcher; allocs/op
// counts every goroutine's allocations per write. Watchers watch the
// written key's prefix (a scan of the range watchers) or the key itself
// (a map lookup).
func BenchmarkNotify(b *testing.B) {
	for _, watchers := range []int{1000, 10000} {
		for _, kind := range []string{"prefix", "key"} {
			b.Run(fmt.Sprintf("watchers=%d/%s", watchers, kind), func(b *testing.B) {
				benchNotify(b, watchers, kind == "prefix")
			})
		}
	}
}

func benchNotify(b *testing.B, watchers int, prefix bool) {
	const perStream = 100
	e := newEnv(b, Config{})
	req := Request{Key: []byte("k/1")}
	if prefix {
		req.End = []byte("k0")
	}
	var delivered atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for range watchers / perStream {
		s := e.hub.NewStream()
		for range perStream {
			e.watch(s, req)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				resps, err := s.Next(ctx)
				if err != nil {
					return
				}
				n := 0
				for _, r := range resps {
					n += len(r.Events)
				}
				delivered.Add(int64(n))
			}
		}()
	}
	key, value := []byte("k/1"), []byte("value")
	writes := 0
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		res, err := e.store.Put(key, value, 0)
		if err != nil {
			b.Fatal(err)
		}
		e.hub.Notify(res.Rev, res.Events)
		writes++
	}
	want := int64(writes) * int64(watchers)
	for delivered.Load() < want {
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(want), "ns/delivery")
	b.ReportMetric(float64(e.hub.Stats().Unsynced), "unsynced-at-end")
}
