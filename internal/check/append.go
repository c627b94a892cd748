package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
)

const (
	// appendKeys is how many keys the append workload extends at a time;
	// few keys mean contention, which is what makes the read-modify-write
	// interesting.
	appendKeys = 3
	// appendMax is how many elements a key takes before its slot moves on
	// to a fresh key. It bounds the values, and so the store's history of
	// them, which would otherwise grow with the square of the run's length.
	appendMax = 64
)

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

// key is slot's key of generation gen.
func (w *appendWorkload) key(slot, gen int) string {
	return fmt.Sprintf("%sk%d.%d", w.prefix, slot, gen)
}

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

// worker appends to random slots; it moves a slot to its next key when it
// finds the current one full.
func (w *appendWorkload) worker(ctx context.Context, cli *clientv3.Client, id int) {
	rng := rand.New(rand.NewPCG(w.seed, uint64(id)))
	gens := make([]int, appendKeys)
	for seq := 0; ctx.Err() == nil; seq++ {
		slot := rng.IntN(appendKeys)
		if full := w.appendOnce(ctx, cli, w.key(slot, gens[slot]), fmt.Sprintf("%d.%d", id, seq)); full {
			gens[slot]++
		}
	}
}

// appendOnce reads key and tries to append elem to it, unless it holds
// appendMax elements already: then it reports the key full.
func (w *appendWorkload) appendOnce(ctx context.Context, cli *clientv3.Client, key, elem string) (full bool) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	call := w.clock.now()
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return false
	}
	var cur string
	var mod int64
	if len(resp.Kvs) > 0 {
		cur, mod = string(resp.Kvs[0].Value), resp.Kvs[0].ModRevision
	}
	elems := strings.Fields(cur)
	read := readOf(key, call, w.clock.now(), elems)
	w.mu.Lock()
	w.log.Reads = append(w.log.Reads, read)
	w.mu.Unlock()
	if len(elems) >= appendMax {
		return true
	}
	op := appendOp{Key: key, Elem: elem, Call: w.clock.now()}
	tr, err := cli.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", mod)).
		Then(clientv3.OpPut(key, strings.TrimSpace(cur+" "+elem))).
		Commit()
	op.Return = w.clock.now()
	op.Outcome = txnOutcome(tr, err)
	w.mu.Lock()
	w.log.Appends = append(w.log.Appends, op)
	w.mu.Unlock()
	return false
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
	// Every append was preceded by a read of its key, so the reads name
	// every key an append may have touched.
	w.log.Final = map[string][]string{}
	for _, rd := range w.log.Reads {
		if _, done := w.log.Final[rd.Key]; done {
			continue
		}
		resp, err := cli.Get(ctx, rd.Key)
		if err != nil {
			return v, fmt.Errorf("check: read final value of %s: %w", rd.Key, err)
		}
		w.log.Final[rd.Key] = nil
		if len(resp.Kvs) > 0 {
			w.log.Final[rd.Key] = strings.Fields(string(resp.Kvs[0].Value))
		}
	}
	v.Violations, v.Lost = checkAppends(w.log)
	return withArtifact(v, dir, w.log)
}
