// Package fault tests Concord under injected faults: in-process clusters
// whose peer links are cut, delayed and healed, members stopped and
// restarted, and WAL fsyncs that fail.
package fault

import (
	"context"
	"testing"
	"time"

	"github.com/concordkv/concord/test/cluster"
)

// requireConverged waits until every running member has applied the same
// revision and then checks that their stores hash identically at it.
func requireConverged(t *testing.T, c *cluster.InProc, timeout time.Duration) {
	t.Helper()
	var rev int64
	ok := cluster.Eventually(timeout, func() bool {
		rev = -1
		for i := 0; i < c.Size(); i++ {
			s := c.Server(i)
			if s == nil {
				continue
			}
			h := s.Header()
			if rev != -1 && h.Revision != rev {
				return false
			}
			rev = h.Revision
		}
		return true
	})
	if !ok {
		t.Fatalf("members did not reach the same revision within %v", timeout)
	}
	var want uint32
	for i := 0; i < c.Size(); i++ {
		s := c.Server(i)
		if s == nil {
			continue
		}
		resp, err := s.HashKV(context.Background(), rev)
		if err != nil {
			t.Fatalf("hash of member %d at %d: %v", i, rev, err)
		}
		if i > 0 && resp.Hash != want {
			t.Fatalf("member %d hashes to %x at revision %d, others to %x", i, resp.Hash, rev, want)
		}
		want = resp.Hash
	}
	t.Logf("all members converged at revision %d (hash %x)", rev, want)
}
