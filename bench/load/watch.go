package load

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// watchDeliveries is the target rate of events delivered to all watchers
// together; the writer puts deliveries/watchers times a second, so 1 000
// and 10 000 watchers see the same total event rate.
const watchDeliveries = 50_000

// etcdWatch measures watch delivery latency: Watchers watchers, spread
// over Conns connections, watch one key; the one client writes it through
// the leader at a fixed rate, each value carrying the time its put was
// issued; a watcher's latency is its receive time minus that time (so it
// includes committing the put). Latency and operations are per delivery
// (see result).
type etcdWatch struct {
	conns    []*clientv3.Client // the watchers'
	writer   *clientv3.Client   // to the leader
	key      string
	watchers int
	measure  *window
	interval time.Duration // between writes
	size     int
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the watcher goroutines

	mu         sync.Mutex // protects following fields
	lat        Samples
	deliveries int64
	lost       int64 // events a watcher saw out of order or could not decode
}

func newEtcdWatch(ctx context.Context, s setup) (driver, error) {
	writer, err := etcdConns(s.t, 1)
	if err != nil {
		return nil, err
	}
	conns, err := etcdConns(s.t, s.w.Conns)
	if err != nil {
		closeEtcd(writer)
		return nil, err
	}
	watchers := max(s.w.Watchers/max(s.o.Scale, 1), 1)
	d := &etcdWatch{
		conns: conns, writer: writer[0], key: s.name + "/key", watchers: watchers,
		measure: s.measure, size: s.o.ValueSize,
		interval: time.Second * time.Duration(watchers) / watchDeliveries,
	}
	wctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	for i := range watchers {
		ch := conns[i%len(conns)].Watch(clientv3.WithRequireLeader(wctx), d.key, clientv3.WithCreatedNotify())
		if err := d.created(ctx, ch); err != nil {
			d.close()
			return nil, unsupported("Watch", err)
		}
		d.wg.Add(1)
		go d.watch(ch) // owner: d; stopped by close
	}
	return d, nil
}

// created waits for the watch's created notification.
func (d *etcdWatch) created(ctx context.Context, ch clientv3.WatchChan) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case resp, ok := <-ch:
		switch {
		case !ok:
			return fmt.Errorf("load: watch closed before it was created")
		case resp.Err() != nil:
			return resp.Err()
		case !resp.Created:
			return fmt.Errorf("load: first watch response is not the created notification")
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("load: watch not created: %w", ctx.Err())
	}
}

func (d *etcdWatch) watch(ch clientv3.WatchChan) {
	defer d.wg.Done()
	var lat Samples
	var n, lost int64
	for resp := range ch {
		now := time.Now()
		for _, ev := range resp.Events {
			if len(ev.Kv.Value) < 8 {
				lost++
				continue
			}
			sent := time.Unix(0, int64(binary.BigEndian.Uint64(ev.Kv.Value)))
			if sent.Before(d.measure.start) || !sent.Before(d.measure.end) {
				continue
			}
			lat.Add(now.Sub(sent))
			n++
		}
	}
	d.mu.Lock()
	d.lat.Merge(&lat)
	d.deliveries += n
	d.lost += lost
	d.mu.Unlock()
}

// worker is the writer, the workload's only client.
func (d *etcdWatch) worker(int) func(context.Context) error {
	cli := d.writer
	buf := value(d.size, 0)
	next := time.Now()
	return func(ctx context.Context) error {
		sleepUntil(ctx, next)
		next = next.Add(d.interval)
		if now := time.Now(); next.Before(now) {
			next = now // behind schedule: do not burst to catch up
		}
		binary.BigEndian.PutUint64(buf, uint64(time.Now().UnixNano()))
		_, err := cli.Put(ctx, d.key, string(buf))
		return err
	}
}

func (d *etcdWatch) close() {
	d.cancel()
	d.writer.Close()
	closeEtcd(d.conns)
	d.wg.Wait()
}

// result counts deliveries as the operations: ops/s is events delivered
// per second over all watchers, CPU per 1 000 ops is per 1 000 deliveries.
func (d *etcdWatch) result() (*Samples, int64, map[string]float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return &d.lat, d.deliveries, map[string]float64{
		"watch_deliveries": float64(d.deliveries),
		"watch_watchers":   float64(d.watchers),
		"watch_bad_events": float64(d.lost),
	}
}
