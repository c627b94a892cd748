package cluster

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Converged waits until every running member has applied the same revision
// and their stores hash the same at it, asking each member through cli
// (whose endpoints need not include them: Status and HashKV dial the
// member named). It returns that revision and hash, or, at ctx's end, an
// error describing the last difference seen.
func (p *Process) Converged(ctx context.Context, cli *clientv3.Client) (rev int64, hash uint32, err error) {
	for {
		if rev, hash, err = p.sameState(ctx, cli); err == nil {
			return rev, hash, nil
		}
		select {
		case <-ctx.Done():
			return 0, 0, fmt.Errorf("cluster: members did not converge: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sameState compares the running members' revisions, then their hashes at
// that revision.
func (p *Process) sameState(ctx context.Context, cli *clientv3.Client) (int64, uint32, error) {
	var eps []string
	for i := range p.urls {
		if p.Running(i) {
			eps = append(eps, p.Endpoint(i))
		}
	}
	var rev int64
	for _, ep := range eps {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := cli.Status(sctx, ep)
		cancel()
		if err != nil {
			return 0, 0, fmt.Errorf("status of %s: %w", ep, err)
		}
		if rev != 0 && st.Header.Revision != rev {
			return 0, 0, fmt.Errorf("%s is at revision %d, %s at %d", ep, st.Header.Revision, eps[0], rev)
		}
		rev = st.Header.Revision
	}
	var hash uint32
	for j, ep := range eps {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		resp, err := cli.HashKV(hctx, ep, rev)
		cancel()
		if err != nil {
			return 0, 0, fmt.Errorf("hash of %s at revision %d: %w", ep, rev, err)
		}
		if j > 0 && resp.Hash != hash {
			return 0, 0, fmt.Errorf("%s hashes to %x at revision %d, %s to %x", ep, resp.Hash, rev, eps[0], hash)
		}
		hash = resp.Hash
	}
	return rev, hash, nil
}
