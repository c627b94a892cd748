package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

const (
	// watchKeys is how many keys the watch workload's writers change.
	watchKeys = 3
	// watchDrain bounds how long watchers may take, once the writers have
	// stopped, to catch up with the last acknowledged write.
	watchDrain = 5 * time.Second
	// drainPoll is how often the drain looks at the watchers' progress.
	drainPoll = 50 * time.Millisecond
)

// watchWorkload runs one writer and one watcher per client. Every watcher
// watches the workload's prefix from the revision after the reset, so each
// must see the same sequence of events: the store's history of the prefix.
type watchWorkload struct {
	prefix string
	seed   uint64

	mu       sync.Mutex // protects the fields below and the watchers' logs
	start    int64      // first revision of the workload's history
	startErr error
	writes   []watchWrite
	watchers []*watcherLog
}

var _ Workload = (*watchWorkload)(nil)

// NewWatch returns the watch workload on keys under prefix.
func NewWatch(prefix string, seed uint64) Workload {
	return &watchWorkload{prefix: prefix, seed: seed}
}

func (w *watchWorkload) Name() string { return "watch" }

// Run clears the prefix and runs writers until ctx is done. The watchers
// then get up to watchDrain to catch up with the last acknowledged write,
// so Run may return that much after ctx is done.
func (w *watchWorkload) Run(ctx context.Context, clients []*clientv3.Client) {
	start, err := reset(ctx, clients, w.prefix)
	w.mu.Lock()
	w.start, w.startErr = start, err
	w.mu.Unlock()
	if err != nil {
		return
	}
	wctx, stopWatchers := context.WithCancel(context.WithoutCancel(ctx))
	var watchers, writers sync.WaitGroup
	for _, cli := range clients {
		l := &watcherLog{}
		w.mu.Lock()
		w.watchers = append(w.watchers, l)
		w.mu.Unlock()
		watchers.Go(func() { w.watch(wctx, cli, l) })
	}
	for id, cli := range clients {
		writers.Go(func() { w.write(ctx, cli, id) })
	}
	writers.Wait()
	w.drain()
	stopWatchers()
	watchers.Wait()
}

// write puts and deletes random keys until ctx is done.
func (w *watchWorkload) write(ctx context.Context, cli *clientv3.Client, id int) {
	rng := rand.New(rand.NewPCG(w.seed, uint64(id)))
	for seq := 0; ctx.Err() == nil; seq++ {
		ev := event{Key: fmt.Sprintf("%sk%d", w.prefix, rng.IntN(watchKeys)), Delete: rng.IntN(5) == 0}
		if !ev.Delete {
			ev.Value = fmt.Sprintf("%d.%d", id, seq)
		}
		if wr, changed := writeEvent(ctx, cli, ev); changed {
			w.mu.Lock()
			w.writes = append(w.writes, wr)
			w.mu.Unlock()
		}
	}
}

// writeEvent performs the put or delete ev describes and returns it with
// its revision and outcome; it reports false for a delete of an absent key,
// which changes nothing.
func writeEvent(ctx context.Context, cli *clientv3.Client, ev event) (watchWrite, bool) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var err error
	if ev.Delete {
		var resp *clientv3.DeleteResponse
		if resp, err = cli.Delete(ctx, ev.Key); err == nil {
			if resp.Deleted == 0 {
				return watchWrite{}, false
			}
			ev.Rev = resp.Header.Revision
		}
	} else {
		var resp *clientv3.PutResponse
		if resp, err = cli.Put(ctx, ev.Key, ev.Value); err == nil {
			ev.Rev = resp.Header.Revision
		}
	}
	return watchWrite{Event: ev, Outcome: outcomeOf(err)}, true
}

// watch records every event of one watch on the prefix until ctx is done
// or the watch is cancelled (which it records).
func (w *watchWorkload) watch(ctx context.Context, cli *clientv3.Client, l *watcherLog) {
	for resp := range cli.Watch(ctx, w.prefix, clientv3.WithPrefix(), clientv3.WithRev(w.start)) {
		w.mu.Lock()
		for _, ev := range resp.Events {
			l.Events = append(l.Events, eventOf(ev))
		}
		switch {
		case ctx.Err() != nil:
		case resp.CompactRevision != 0:
			l.Compacted = resp.CompactRevision
		case resp.Canceled || resp.Err() != nil:
			l.Canceled = fmt.Sprintf("cancelled: %v", resp.Err())
		}
		w.mu.Unlock()
	}
}

// drain waits, at most watchDrain, until every watcher has seen the last
// acknowledged write (or stopped).
func (w *watchWorkload) drain() {
	deadline := time.Now().Add(watchDrain)
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for time.Now().Before(deadline) && !w.caughtUp() {
		<-t.C
	}
}

func (w *watchWorkload) caughtUp() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	var last int64
	for _, wr := range w.writes {
		if wr.Outcome == acked {
			last = max(last, wr.Event.Rev)
		}
	}
	for _, l := range w.watchers {
		if l.Canceled == "" && l.Compacted == 0 && l.last() < last {
			return false
		}
	}
	return true
}

// Check reads the prefix's history from the start revision, resumes each
// watcher that had not seen all of it (a member may still have been cut
// off when Run ended) from the revision after its last event, and judges
// the watchers against the history.
func (w *watchWorkload) Check(ctx context.Context, cli *clientv3.Client, dir string) (Verdict, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := Verdict{Workload: w.Name(), Operations: len(w.writes),
		Unknown: countUnknown(w.writes, func(wr watchWrite) outcome { return wr.Outcome })}
	if w.startErr != nil {
		return v, w.startErr
	}
	l := watchLog{Writes: w.writes, Watchers: w.watchers}
	var until int64
	var err error
	if l.History, until, err = history(ctx, cli, w.prefix, w.start); err != nil {
		return v, err
	}
	for i, wl := range w.watchers {
		if wl.Compacted != 0 {
			return v, fmt.Errorf("%w: watcher %d cancelled at compaction revision %d", ErrCompacted, i, wl.Compacted)
		}
		if wl.Canceled != "" {
			continue
		}
		more, err := events(ctx, cli, w.prefix, max(w.start, wl.last()+1), until)
		if err != nil {
			return v, fmt.Errorf("check: resume watcher %d: %w", i, err)
		}
		wl.Resumed = len(more)
		wl.Events = append(wl.Events, more...)
	}
	v.Violations, v.Lost = checkWatch(l)
	return withArtifact(v, dir, l)
}
