package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrUnsupported is returned (wrapped, with the reason) by Run when the
// target cannot run the workload.
var ErrUnsupported = errors.New("load: not supported")

// Target is a running cluster as a workload sees it.
type Target struct {
	System string
	// EtcdEndpoints are the members' etcd v3 addresses (host:port); empty
	// when the system does not speak etcd v3.
	EtcdEndpoints []string
	// ZKServers are the members' ZooKeeper addresses; empty when the system
	// does not speak the ZooKeeper protocol.
	ZKServers []string
	// Leader is the index of the leading member, which single-client
	// workloads talk to.
	Leader int
}

// Options bound one run.
type Options struct {
	Warmup    time.Duration // load before the measured window, not counted
	Duration  time.Duration // the measured window
	ValueSize int           // bytes per value written
	// Scale divides the number of watchers and other set-up sizes, for
	// smoke tests; 0 or 1 means full size.
	Scale int
}

// Meter is told when the measured window opens and closes. Run calls both
// from its own goroutine, Start before Stop.
type Meter interface {
	Start()
	Stop()
}

// Result is one run's figures.
type Result struct {
	Ops        int64         // operations started in the window that succeeded
	Errors     int64         // operations started in the window that failed
	FirstError string        // the first failure's message, if any
	Window     time.Duration // the measured window's actual length
	Latency    *Samples      // per operation, or per delivery for watch
	// Extra holds figures particular to a workload (cas_success_ratio,
	// watch_deliveries).
	Extra map[string]float64
}

// OpsPerSec is the throughput over the window.
func (r *Result) OpsPerSec() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Window.Seconds()
}

// Workload is one kind of load, with an implementation per protocol.
type Workload struct {
	Name    string // short identifier: "put-64", file names and JSON keys
	Title   string // for tables: "put 256 B, 64 clients / 8 conns"
	Clients int    // concurrent closed-loop clients
	Conns   int    // connections they share (1 for single-client workloads)
	// Watchers is the number of watchers, for watch workloads.
	Watchers int
	// FullOnly marks workloads run only in full mode.
	FullOnly bool
	// Note explains how the protocols map, for the report.
	Note string

	etcd func(ctx context.Context, s setup) (driver, error) // nil: no etcd v3 form
	zk   func(ctx context.Context, s setup) (driver, error) // nil: no ZooKeeper form
}

// setup is what a driver constructor gets.
type setup struct {
	w       *Workload
	t       Target
	o       Options
	name    string // key prefix for this workload: "/bench/<name>"
	measure *window
}

// window is the measured interval, fixed before any client starts.
type window struct{ start, end time.Time }

// driver is a prepared workload against one target.
type driver interface {
	// worker returns client i's operation; Run calls it only from client
	// i's goroutine, one call at a time, until the window ends.
	worker(i int) func(ctx context.Context) error
	// close releases connections; Run calls it once, after every client
	// has returned.
	close()
}

// ownLatency is implemented by drivers whose latency figure is not the
// operation's own duration (watch delivery) and by those with extra figures.
type ownLatency interface {
	// result returns the driver's own latencies and operation count (nil
	// and -1 to use the clients') and extra figures; Run calls it after
	// close.
	result() (lat *Samples, ops int64, extra map[string]float64)
}

// opGrace is how long an operation may run past the window's end before
// its context is cancelled.
const opGrace = 10 * time.Second

// Run prepares w against t, runs the warm-up and the measured window, and
// returns the figures. m may be nil.
func Run(ctx context.Context, w *Workload, t Target, o Options, m Meter) (*Result, error) {
	newDriver, err := w.pick(t)
	if err != nil {
		return nil, err
	}
	win := &window{}
	d, err := newDriver(ctx, setup{w: w, t: t, o: o, name: "/bench/" + w.Name, measure: win})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	win.start = now.Add(o.Warmup)
	win.end = win.start.Add(o.Duration)
	runCtx, cancel := context.WithDeadline(ctx, win.end.Add(opGrace))
	defer cancel()

	clients := make([]clientResult, w.Clients)
	var wg sync.WaitGroup
	for i := range clients {
		op := d.worker(i)
		wg.Add(1)
		go func() { // owner: Run, which waits below
			defer wg.Done()
			clients[i].loop(runCtx, op, win)
		}()
	}
	if m != nil {
		sleepUntil(ctx, win.start)
		m.Start()
		sleepUntil(ctx, win.end)
		m.Stop()
	}
	wg.Wait()
	d.close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return collect(clients, win, d), nil
}

// pick chooses the implementation for t's protocol, preferring etcd v3.
func (w *Workload) pick(t Target) (func(context.Context, setup) (driver, error), error) {
	switch {
	case len(t.EtcdEndpoints) > 0 && w.etcd != nil:
		return w.etcd, nil
	case len(t.ZKServers) > 0 && w.zk != nil:
		return w.zk, nil
	case w.etcd != nil && w.zk != nil:
		return nil, fmt.Errorf("%w: %s speaks neither etcd v3 nor ZooKeeper", ErrUnsupported, t.System)
	case w.etcd != nil:
		return nil, fmt.Errorf("%w: etcd v3 only; %s does not serve the etcd v3 API", ErrUnsupported, t.System)
	default:
		return nil, fmt.Errorf("%w: ZooKeeper protocol only; %s has no ZooKeeper front end", ErrUnsupported, t.System)
	}
}

// clientResult is one client's tally; only its goroutine writes it.
type clientResult struct {
	lat      Samples
	ops, err int64
	firstErr error
}

func (c *clientResult) loop(ctx context.Context, op func(context.Context) error, win *window) {
	for {
		start := time.Now()
		if !start.Before(win.end) || ctx.Err() != nil {
			return
		}
		err := op(ctx)
		took := time.Since(start)
		if start.Before(win.start) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.err++
			if c.firstErr == nil {
				c.firstErr = err
			}
			continue
		}
		c.ops++
		c.lat.Add(took)
	}
}

func collect(clients []clientResult, win *window, d driver) *Result {
	r := &Result{Latency: &Samples{}, Window: win.end.Sub(win.start)}
	for i := range clients {
		c := &clients[i]
		r.Ops += c.ops
		r.Errors += c.err
		r.Latency.Merge(&c.lat)
		if c.firstErr != nil && r.FirstError == "" {
			r.FirstError = c.firstErr.Error()
		}
	}
	if own, ok := d.(ownLatency); ok {
		lat, ops, extra := own.result()
		if lat != nil {
			r.Latency = lat
		}
		if ops >= 0 {
			r.Ops = ops
		}
		r.Extra = extra
	}
	return r
}

func sleepUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}
