package check

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

// memberClients returns one client per member of c.
func memberClients(c *cluster.InProc) []*clientv3.Client {
	var out []*clientv3.Client
	for i := range c.Size() {
		out = append(out, c.Client(i))
	}
	return out
}

// runAll runs workloads together for d.
func runAll(workloads []Workload, clients []*clientv3.Client, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for _, w := range workloads {
		wg.Go(func() { w.Run(ctx, clients) })
	}
	wg.Wait()
}

// TestWorkloadsOnHealthyCluster runs the standard set against a healthy
// three-member cluster: every workload makes progress, no outcome is
// unknown, nothing is violated, and the watchers caught up by themselves
// (Check had to resume none of them).
func TestWorkloadsOnHealthyCluster(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	workloads := Workloads("healthy/", 7)
	runAll(workloads, memberClients(c), 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, w := range workloads {
		v, err := w.Check(ctx, c.Client(), t.TempDir())
		if err != nil {
			t.Fatalf("%s: %v", w.Name(), err)
		}
		t.Logf("%+v", v)
		if v.Operations == 0 || v.Unknown != 0 || len(v.Violations) != 0 || v.Lost != 0 {
			t.Errorf("%s: want operations, none unknown, no violation, nothing lost; got %+v", w.Name(), v)
		}
		if ww, ok := w.(*watchWorkload); ok {
			for i, l := range ww.watchers {
				if l.Resumed != 0 {
					t.Errorf("watcher %d needed %d events read after Run to catch up", i, l.Resumed)
				}
			}
		}
	}
}

// TestCheckRefusesCompactedHistory compacts the store after a run: the
// checkers that read the history back must say they cannot judge, not
// pass.
func TestCheckRefusesCompactedHistory(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	tests := []struct {
		name string
		w    Workload
	}{
		{"lock", NewLock("compacted/lock/")},
		{"watch", NewWatch("compacted/watch/", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runAll([]Workload{tt.w}, memberClients(c), time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cli := c.Client()
			resp, err := cli.Get(ctx, "any")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cli.Compact(ctx, resp.Header.Revision); err != nil {
				t.Fatal(err)
			}
			v, err := tt.w.Check(ctx, cli, t.TempDir())
			if !errors.Is(err, ErrCompacted) {
				t.Fatalf("Check after compaction: verdict %+v, error %v; want ErrCompacted", v, err)
			}
		})
	}
}
