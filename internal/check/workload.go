package check

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// RegisterWorkload drives put, get and CAS on a few keys from several
// clients and records every operation.
type RegisterWorkload struct {
	// Clients are used round-robin by the workers; binding each client to
	// one member makes the workload cross members.
	Clients []*clientv3.Client
	// Workers is the number of concurrent clients (default 2 per client).
	Workers int
	// Keys is how many keys are used (default 3); few keys mean contention.
	Keys int
	// OpTimeout bounds one operation (default 1s).
	OpTimeout time.Duration
	// Seed makes the op mix reproducible.
	Seed uint64
	// Prefix is prepended to every key (default "check/register/").
	Prefix string
}

// Run records operations into h until ctx is done. An operation in flight
// when ctx ends is waited for (up to OpTimeout), not abandoned.
func (w *RegisterWorkload) Run(ctx context.Context, h *History) {
	workers := w.Workers
	if workers == 0 {
		workers = 2 * len(w.Clients)
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Go(func() { w.worker(ctx, h, i) })
	}
	wg.Wait()
}

func (w *RegisterWorkload) defaults() (keys int, timeout time.Duration, prefix string) {
	keys, timeout, prefix = w.Keys, w.OpTimeout, w.Prefix
	if keys == 0 {
		keys = 3
	}
	if timeout == 0 {
		timeout = time.Second
	}
	if prefix == "" {
		prefix = "check/register/"
	}
	return keys, timeout, prefix
}

func (w *RegisterWorkload) worker(ctx context.Context, h *History, id int) {
	cli := w.Clients[id%len(w.Clients)]
	rng := rand.New(rand.NewPCG(w.Seed, uint64(id)))
	keys, timeout, prefix := w.defaults()
	seen := map[string]string{} // last value this worker observed per key
	for seq := 0; ctx.Err() == nil; seq++ {
		key := fmt.Sprintf("%s%d", prefix, rng.IntN(keys))
		in := Input{Key: key, Value: fmt.Sprintf("w%d-%d", id, seq)}
		switch p := rng.IntN(10); {
		case p < 4:
			in.Kind = OpGet
		case p < 7:
			in.Kind = OpPut
		default:
			in.Kind, in.Expect = OpCAS, seen[key]
		}
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout) // see opContext
		call := h.Now()
		out, err := do(octx, cli, in)
		ret := h.Now()
		cancel()
		switch {
		case err == nil:
			if in.Kind == OpGet {
				seen[key] = out.Value
			}
			h.Add(id, in, call, out, ret)
		case in.Kind != OpGet && !definitelyFailed(err):
			h.Add(id, in, call, Output{Unknown: true}, ret)
		}
	}
}

// definitelyFailed reports errors that prove a write was not applied.
func definitelyFailed(err error) bool {
	return errors.Is(err, rpctypes.ErrGRPCNoLeader) || errors.Is(err, rpctypes.ErrNoLeader)
}

func do(ctx context.Context, cli *clientv3.Client, in Input) (Output, error) {
	switch in.Kind {
	case OpGet:
		resp, err := cli.Get(ctx, in.Key)
		if err != nil {
			return Output{}, err
		}
		if len(resp.Kvs) == 0 {
			return Output{}, nil
		}
		return Output{Value: string(resp.Kvs[0].Value)}, nil
	case OpPut:
		_, err := cli.Put(ctx, in.Key, in.Value)
		return Output{}, err
	default:
		cmp := clientv3.Compare(clientv3.Value(in.Key), "=", in.Expect)
		if in.Expect == "" {
			cmp = clientv3.Compare(clientv3.CreateRevision(in.Key), "=", 0)
		}
		resp, err := cli.Txn(ctx).If(cmp).Then(clientv3.OpPut(in.Key, in.Value)).Commit()
		if err != nil {
			return Output{}, err
		}
		return Output{OK: resp.Succeeded}, nil
	}
}
