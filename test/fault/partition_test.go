package fault

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

func others(n, not int) []int {
	var out []int
	for i := 0; i < n; i++ {
		if i != not {
			out = append(out, i)
		}
	}
	return out
}

func TestIsolatedLeader(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	old := c.WaitLeader(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := c.Client().Put(ctx, "before", "1"); err != nil {
		t.Fatalf("put before partition: %v", err)
	}

	c.Faults.Isolate(c.ID(old))
	rest := others(3, old)
	lead := c.WaitLeader(10*time.Second, rest...)
	t.Logf("isolated leader m%d; m%d leads the majority", old, lead)

	majority := c.Client(rest...)
	for i := 0; i < 20; i++ {
		if _, err := majority.Put(ctx, fmt.Sprintf("during/%d", i), "x"); err != nil {
			t.Fatalf("put on the majority side: %v", err)
		}
	}

	isolated := c.Client(old)
	rctx, rcancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	_, err := isolated.Get(rctx, "during/0")
	rcancel()
	if err == nil {
		t.Fatal("the isolated member served a linearizable read")
	}
	t.Logf("linearizable read on the isolated member failed as it must: %v", err)
	sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
	resp, err := isolated.Get(sctx, "before", clientv3.WithSerializable())
	scancel()
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("serializable read on the isolated member: %+v, %v", resp, err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	_, err = isolated.Put(wctx, "lost", "x")
	wcancel()
	if err == nil {
		t.Fatal("the isolated member acknowledged a write")
	}

	c.Faults.Heal()
	c.WaitLeader(10 * time.Second)
	if _, err := c.Client().Put(ctx, "after", "1"); err != nil {
		t.Fatalf("put after heal: %v", err)
	}
	requireConverged(t, c, 10*time.Second)
	if r, err := c.Client(old).Get(ctx, "during/", clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil || r.Count != 20 {
		t.Fatalf("healed member sees %+v, %v; want 20 keys", r, err)
	}
}

func TestSnapshotCatchUp(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{SnapshotCount: 100, SnapshotCatchUpEntries: 20})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lead := c.WaitLeader(10 * time.Second)
	down := (lead + 1) % 3
	c.Stop(down)
	cli := c.Client(others(3, down)...)
	for i := 0; i < 500; i++ {
		if _, err := cli.Put(ctx, fmt.Sprintf("k/%03d", i), fmt.Sprintf("v%d", i)); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	c.Start(down)
	requireConverged(t, c, 20*time.Second)
	if got := c.Server(down).Raft().SnapshotsReceived; got == 0 {
		t.Fatal("the member that was down caught up without receiving a snapshot")
	}
	resp, err := c.Client(down).Get(ctx, "k/", clientv3.WithPrefix(), clientv3.WithCountOnly(), clientv3.WithSerializable())
	if err != nil || resp.Count != 500 {
		t.Fatalf("caught-up member holds %+v, %v; want 500 keys", resp, err)
	}
}

func TestPutToFollowerIsForwarded(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	lead := c.WaitLeader(10 * time.Second)
	follower := (lead + 1) % 3
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli := c.Client(follower)
	if _, err := cli.Put(ctx, "via-follower", "yes"); err != nil {
		t.Fatalf("put through a follower: %v", err)
	}
	resp, err := c.Client(lead).Get(ctx, "via-follower")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("leader does not see the forwarded write: %+v, %v", resp, err)
	}
	if _, err := cli.Get(ctx, "x", clientv3.WithRev(resp.Header.Revision+100)); !errors.Is(err, rpctypes.ErrFutureRev) {
		t.Fatalf("future revision read through follower: %v", err)
	}
}
