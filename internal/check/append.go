package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// appendKeys is how many keys the append workload extends; few keys mean
// contention, which is what makes the read-modify-write interesting.
const appendKeys = 3

// appendWorkload has each worker read a key and, in a transaction that
// only succeeds if the key's mod_revision is still the one read, write it
// back with one new element at the end. The final values must then hold
// every acknowledged element exactly once, in acknowledgement order.
type appendWorkload struct {
	prefix string
	seed   uint64
	clock  clock

	mu       sync.Mutex // protects the fields below
	startErr error
	log      appendLog
}

var _ Workload = (*appendWorkload)(nil)

// NewAppend returns the append workload on keys under prefix.
func NewAppend(prefix string, seed uint64) Workload {
	return &appendWorkload{prefix: prefix, seed: seed, clock: newClock()}
}

func (w *appendWorkload) Name() string { return "append" }

func (w *appendWorkload) key(i int) string { return fmt.Sprintf("%sk%d", w.prefix, i) }

// Run starts two workers per client after clearing the prefix.
func (w *appendWorkload) Run(ctx context.Context, clients []*clientv3.Client) {
	if _, err := reset(ctx, clients, w.prefix); err != nil {
		w.mu.Lock()
		w.startErr = err
		w.mu.Unlock()
		return
	}
	var wg sync.WaitGroup
	for id := range 2 * len(clients) {
		wg.Go(func() { w.worker(ctx, clients[id%len(clients)], id) })
	}
	wg.Wait()
}

func (w *appendWorkload) worker(ctx context.Context, cli *clientv3.Client, id int) {
	rng := rand.New(rand.NewPCG(w.seed, uint64(id)))
	for seq := 0; ctx.Err() == nil; seq++ {
		w.appendOnce(ctx, cli, w.key(rng.IntN(appendKeys)), fmt.Sprintf("%d.%d", id, seq))
	}
}

// appendOnce reads key and tries to append elem to it.
func (w *appendWorkload) appendOnce(ctx context.Context, cli *clientv3.Client, key, elem string) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	call := w.clock.now()
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return
	}
	var cur string
	var mod int64
	if len(resp.Kvs) > 0 {
		cur, mod = string(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	read := readOf(key, call, w.clock.now(), strings.Fields(cur))
	op := appendOp{Key: key, Elem: elem, Call: w.clock.now()}
	tr, err := cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", mod)).
		Then(clientv3.OpPut(key, strings.TrimSpace(cur+" "+elem))).
		Commit()
	op.Return = w.clock.now()
	op.Outcome = txnOutcome(tr, err)
	w.mu.Lock()
	w.log.Reads = append(w.log.Reads, read)
	w.log.Appends = append(w.log.Appends, op)
	w.mu.Unlock()
}

// Check reads the final values and judges the log against them.
func (w *appendWorkload) Check(ctx context.Context, cli *clientv3.Client, dir string) (Verdict, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := Verdict{Workload: w.Name(), Operations: len(w.log.Appends) + len(w.log.Reads),
		Unknown: countUnknown(w.log.Appends, func(op appendOp) outcome { return op.Outcome })}
	if w.startErr != nil {
		return v, w.startErr
	}
	w.log.Final = map[string][]string{}
	for i := range appendKeys {
		resp, err := cli.Get(ctx, w.key(i))
		if err != nil {
			return v, fmt.Errorf("check: read final value of %s: %w", w.key(i), err)
		}
		if len(resp.Kvs) > 0 {
			w.log.Final[w.key(i)] = strings.Fields(string(resp.Kvs[0].Value))
		}
	}
	v.Violations, v.Lost = checkAppends(w.log)
	return withArtifact(v, dir, w.log)
}
