package check

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

const (
	// lockTTL is the lock sessions' lease TTL in seconds: short, so that a
	// holder cut off by a fault loses the lock while it may still believe
	// it holds it, which is what the fencing token is for.
	lockTTL = 2
	// lockWait bounds one Lock call.
	lockWait = 5 * time.Second
)

// lockWorkload has workers take a clientv3/concurrency Mutex and, while
// holding it, write their fencing token (the create revision of their lock
// key) to a guarded key through a transaction that succeeds only if the
// guarded key holds a lower token and their lock key is still theirs.
type lockWorkload struct {
	prefix string

	mu       sync.Mutex // protects the fields below
	start    int64      // first revision of the workload's history
	startErr error
	holders  []lockHolder
}

var _ Workload = (*lockWorkload)(nil)

// NewLock returns the lock workload on keys under prefix.
func NewLock(prefix string) Workload { return &lockWorkload{prefix: prefix} }

func (w *lockWorkload) Name() string { return "lock" }

func (w *lockWorkload) lockPrefix() string { return w.prefix + "lock" }
func (w *lockWorkload) guard() string      { return w.prefix + "guard" }

// token formats a fencing token so that comparing values as byte strings
// (all an etcd transaction can do) compares the numbers.
func token(rev int64) string { return fmt.Sprintf("%020d", rev) }

// Run clears the prefix, writes token 0 to the guarded key, and starts two
// lockers per client.
func (w *lockWorkload) Run(ctx context.Context, clients []*clientv3.Client) {
	start, err := reset(ctx, clients, w.prefix)
	if err == nil {
		err = retry(ctx, clients, func(ctx context.Context, cli *clientv3.Client) error {
			_, err := cli.Put(ctx, w.guard(), token(0))
			return err
		})
	}
	w.mu.Lock()
	w.start, w.startErr = start, err
	w.mu.Unlock()
	if err != nil {
		return
	}
	var wg sync.WaitGroup
	for id := range 2 * len(clients) {
		wg.Go(func() { w.locker(ctx, clients[id%len(clients)]) })
	}
	wg.Wait()
}

// locker takes the lock again and again, each session until its lease is
// lost (then it starts another).
func (w *lockWorkload) locker(ctx context.Context, cli *clientv3.Client) {
	for ctx.Err() == nil {
		sess, err := w.session(ctx, cli)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(retryPause):
			}
			continue
		}
		for ctx.Err() == nil && !closed(sess.Done()) {
			w.holdOnce(ctx, sess)
		}
		// Stop the keepalives and give the lease back, so the lock key goes
		// now rather than after the TTL.
		sess.Orphan()
		rctx, cancel := opContext(ctx)
		cli.Revoke(rctx, sess.Lease())
		cancel()
	}
}

// session grants a lease (bounded by opTimeout) and keeps it alive until
// ctx is done or the session is orphaned.
func (w *lockWorkload) session(ctx context.Context, cli *clientv3.Client) (*concurrency.Session, error) {
	gctx, cancel := context.WithTimeout(ctx, opTimeout)
	lease, err := cli.Grant(gctx, lockTTL)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("check: grant lock lease: %w", err)
	}
	return concurrency.NewSession(cli, concurrency.WithLease(lease.ID), concurrency.WithTTL(lockTTL), concurrency.WithContext(ctx))
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// holdOnce locks, writes the fencing token, and unlocks.
func (w *lockWorkload) holdOnce(ctx context.Context, sess *concurrency.Session) {
	cli := sess.Client()
	m := concurrency.NewMutex(sess, w.lockPrefix())
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	err := m.Lock(lctx)
	cancel()
	if err != nil {
		return
	}
	h := lockHolder{Acquired: m.Header().Revision}
	octx, cancel := opContext(ctx)
	defer cancel()
	resp, err := cli.Get(octx, m.Key())
	if err == nil && len(resp.Kvs) > 0 {
		h.Token = resp.Kvs[0].CreateRevision
		tr, err := cli.Txn(octx).
			If(clientv3.Compare(clientv3.Value(w.guard()), "<", token(h.Token)), m.IsOwner()).
			Then(clientv3.OpPut(w.guard(), token(h.Token))).
			Commit()
		if h.Write = txnOutcome(tr, err); h.Write == acked {
			h.WriteRev = tr.Header.Revision
		}
		w.mu.Lock()
		w.holders = append(w.holders, h)
		w.mu.Unlock()
	}
	uctx, cancel := opContext(ctx)
	m.Unlock(uctx)
	cancel()
}

// Check reads the lock keys' and the guarded key's history from the start
// revision and judges the holders against it.
func (w *lockWorkload) Check(ctx context.Context, cli *clientv3.Client, dir string) (Verdict, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := Verdict{Workload: w.Name(), Operations: len(w.holders),
		Unknown: countUnknown(w.holders, func(h lockHolder) outcome { return h.Write })}
	if w.startErr != nil {
		return v, w.startErr
	}
	evs, _, err := history(ctx, cli, w.prefix, w.start)
	if err != nil {
		return v, err
	}
	l := lockLog{Holders: w.holders}
	if l.Keys, l.Writes, err = w.lockHistory(evs); err != nil {
		return v, err
	}
	v.Violations, v.Lost = checkLock(l)
	return withArtifact(v, dir, l)
}

// lockHistory splits the store's events into lock key lifetimes and the
// tokens the guarded key accepted.
func (w *lockWorkload) lockHistory(evs []event) ([]lockKey, []tokenWrite, error) {
	var keys []lockKey
	var writes []tokenWrite
	live := map[string]int{} // lock key name -> index in keys of its current generation
	for _, ev := range evs {
		switch {
		case ev.Key == w.guard() && !ev.Delete:
			tok, err := strconv.ParseInt(ev.Value, 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("check: guarded key %s holds %q at revision %d: %w", ev.Key, ev.Value, ev.Rev, err)
			}
			writes = append(writes, tokenWrite{Rev: ev.Rev, Token: tok})
		case !strings.HasPrefix(ev.Key, w.lockPrefix()):
		case ev.Delete:
			if i, ok := live[ev.Key]; ok {
				keys[i].Deleted = ev.Rev
				delete(live, ev.Key)
			}
		case ev.Create == ev.Rev:
			live[ev.Key] = len(keys)
			keys = append(keys, lockKey{Token: ev.Create})
		}
	}
	return keys, writes, nil
}
