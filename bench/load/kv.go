package load

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// keySpace is how many keys put, get and mixed workloads spread over;
// hotKeys is how many keys the compare-and-swap workload contends on.
const (
	keySpace = 1000
	hotKeys  = 100
)

// etcdKV is the state the etcd v3 key-value workloads share: connections
// and a preloaded key space.
type etcdKV struct {
	conns []*clientv3.Client
	keys  []string
	vals  []string // one per client, so clients write distinct values
}

func openEtcdKV(ctx context.Context, s setup, nkeys int) (*etcdKV, error) {
	conns, err := etcdConns(s.t, s.w.Conns)
	if err != nil {
		return nil, err
	}
	e := &etcdKV{conns: conns, keys: keyNames(s.name, nkeys)}
	for i := range s.w.Clients {
		e.vals = append(e.vals, string(value(s.o.ValueSize, uint64(i))))
	}
	if err := preloadEtcd(ctx, conns, e.keys, e.vals[0]); err != nil {
		closeEtcd(conns)
		return nil, err
	}
	return e, nil
}

func (e *etcdKV) conn(i int) *clientv3.Client { return e.conns[i%len(e.conns)] }
func (e *etcdKV) close()                      { closeEtcd(e.conns) }

// etcdPut puts a random key of the key space.
type etcdPut struct{ *etcdKV }

func newEtcdPut(ctx context.Context, s setup) (driver, error) {
	kv, err := openEtcdKV(ctx, s, keySpace)
	return etcdPut{kv}, err
}

func (d etcdPut) worker(i int) func(context.Context) error {
	r, cli, val := clientRand(i), d.conn(i), d.vals[i]
	return func(ctx context.Context) error {
		_, err := cli.Put(ctx, d.keys[r.IntN(len(d.keys))], val)
		return err
	}
}

// etcdGet reads a random key, linearizable or serializable.
type etcdGet struct {
	*etcdKV
	opts []clientv3.OpOption
}

func newEtcdGet(serializable bool) func(context.Context, setup) (driver, error) {
	return func(ctx context.Context, s setup) (driver, error) {
		kv, err := openEtcdKV(ctx, s, keySpace)
		if err != nil {
			return nil, err
		}
		d := etcdGet{etcdKV: kv}
		if serializable {
			d.opts = []clientv3.OpOption{clientv3.WithSerializable()}
		}
		return d, nil
	}
}

func (d etcdGet) worker(i int) func(context.Context) error {
	r, cli := clientRand(i), d.conn(i)
	return func(ctx context.Context) error {
		_, err := cli.Get(ctx, d.keys[r.IntN(len(d.keys))], d.opts...)
		return err
	}
}

// etcdMixed does 90% linearizable gets and 10% puts on random keys.
type etcdMixed struct{ *etcdKV }

func newEtcdMixed(ctx context.Context, s setup) (driver, error) {
	kv, err := openEtcdKV(ctx, s, keySpace)
	return etcdMixed{kv}, err
}

func (d etcdMixed) worker(i int) func(context.Context) error {
	r, cli, val := clientRand(i), d.conn(i), d.vals[i]
	return func(ctx context.Context) error {
		key := d.keys[r.IntN(len(d.keys))]
		var err error
		if r.IntN(10) == 0 {
			_, err = cli.Put(ctx, key, val)
		} else {
			_, err = cli.Get(ctx, key)
		}
		return err
	}
}

// etcdCAS does compare-and-swap on hot keys: a txn that puts the key if
// its mod revision is the one this client last saw, and otherwise reads it
// (so the next attempt has the current revision without another round
// trip).
type etcdCAS struct {
	*etcdKV
	measure             *window
	attempts, succeeded atomic.Int64 // in the measured window
}

func newEtcdCAS(ctx context.Context, s setup) (driver, error) {
	kv, err := openEtcdKV(ctx, s, hotKeys)
	return &etcdCAS{etcdKV: kv, measure: s.measure}, err
}

func (d *etcdCAS) worker(i int) func(context.Context) error {
	r, cli, val := clientRand(i), d.conn(i), d.vals[i]
	seen := make([]int64, len(d.keys)) // mod revision last seen, per key
	return func(ctx context.Context) error {
		k := r.IntN(len(d.keys))
		resp, err := cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(d.keys[k]), "=", seen[k])).
			Then(clientv3.OpPut(d.keys[k], val)).
			Else(clientv3.OpGet(d.keys[k])).
			Commit()
		if err != nil {
			return err
		}
		counted := !time.Now().Before(d.measure.start)
		if counted {
			d.attempts.Add(1)
		}
		if resp.Succeeded {
			seen[k] = resp.Header.Revision
			if counted {
				d.succeeded.Add(1)
			}
			return nil
		}
		kvs := resp.Responses[0].GetResponseRange().GetKvs()
		if len(kvs) != 1 {
			return fmt.Errorf("load: cas: %s missing", d.keys[k])
		}
		seen[k] = kvs[0].ModRevision
		return nil
	}
}

func (d *etcdCAS) result() (*Samples, int64, map[string]float64) {
	return nil, -1, casExtra(d.attempts.Load(), d.succeeded.Load())
}

func casExtra(attempts, succeeded int64) map[string]float64 {
	ratio := 0.0
	if attempts > 0 {
		ratio = float64(succeeded) / float64(attempts)
	}
	return map[string]float64{"cas_success_ratio": ratio, "cas_succeeded": float64(succeeded)}
}
