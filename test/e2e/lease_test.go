package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

// fastFlags make elections and the minimum lease TTL (1 s) short.
var fastFlags = []string{"--heartbeat-interval", "50", "--election-timeout", "500"}

func TestLeaseKeepAliveExpiryRevoke(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	ctx := ctxFor(t, 90*time.Second)
	cli := c.Client()
	watcher := c.Client(c.Endpoint(2))

	grant, err := cli.Grant(ctx, 1)
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	if _, err := cli.Put(ctx, "svc/instance-1", "10.0.0.1:8080", clientv3.WithLease(grant.ID)); err != nil {
		t.Fatalf("put with lease: %v", err)
	}
	wch := watcher.Watch(ctx, "svc/", clientv3.WithPrefix())
	if err := watcher.RequestProgress(ctx); err != nil {
		t.Fatal(err)
	}

	// keepalives through a follower keep the key for 10x its TTL
	kctx, stopKeepAlive := context.WithCancel(ctx)
	ka, err := c.Client(c.Endpoint(1)).KeepAlive(kctx, grant.ID)
	if err != nil {
		t.Fatalf("keepalive: %v", err)
	}
	go func() {
		for range ka {
		}
	}()
	time.Sleep(10 * time.Second) // the behaviour under test is the passage of time
	resp, err := cli.Get(ctx, "svc/instance-1")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("key kept alive for 10 s lost: %+v, %v", resp, err)
	}
	ttl, err := cli.TimeToLive(ctx, grant.ID, clientv3.WithAttachedKeys())
	if err != nil || ttl.TTL <= 0 || len(ttl.Keys) != 1 {
		t.Fatalf("time to live = %+v, %v", ttl, err)
	}

	// without keepalives it expires within TTL + 1 s and the watcher sees it
	stopKeepAlive()
	stopped := time.Now()
	var wr clientv3.WatchResponse
	for wr = range wch {
		if len(wr.Events) > 0 {
			break
		}
	}
	select {
	case <-ctx.Done():
	default:
		if len(wr.Events) != 1 || wr.Events[0].Type != mvccpb.DELETE {
			t.Fatalf("watcher got %+v, want the delete", wr.Events)
		}
		if d := time.Since(stopped); d > 2*time.Second+500*time.Millisecond {
			t.Fatalf("expired after %v, want within TTL + 1 s (plus keepalive slack)", d)
		} else {
			t.Logf("lease expired %v after the last keepalive stream stopped", d)
		}
	}
	if ttl, err := cli.TimeToLive(ctx, grant.ID); err != nil || ttl.TTL != -1 {
		t.Fatalf("time to live of an expired lease = %+v, %v; want TTL -1", ttl, err)
	}

	// revoke deletes at once
	g2, err := cli.Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	cli.Put(ctx, "svc/instance-2", "x", clientv3.WithLease(g2.ID))
	if _, err := cli.Revoke(ctx, g2.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if resp, _ := cli.Get(ctx, "svc/instance-2"); len(resp.Kvs) != 0 {
		t.Fatal("revoke left the lease's key")
	}
	if _, err := cli.Revoke(ctx, g2.ID); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		t.Fatalf("second revoke: %v, want %v", err, rpctypes.ErrLeaseNotFound)
	}
}

func TestLeaseSurvivesLeaderDeathAndRestart(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	ctx := ctxFor(t, 90*time.Second)
	cli := c.Client()
	grant, err := cli.Grant(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Put(ctx, "held", "1", clientv3.WithLease(grant.ID)); err != nil {
		t.Fatal(err)
	}
	lead := leaderIndex(t, c, cli)
	before, err := cli.TimeToLive(ctx, grant.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.Kill(lead)
	var rest []string
	for i := 0; i < 3; i++ {
		if i != lead {
			rest = append(rest, c.Endpoint(i))
		}
	}
	survivors := c.Client(rest...)
	var after *clientv3.LeaseTimeToLiveResponse
	ok := cluster.Eventually(15*time.Second, func() bool {
		after, err = survivors.TimeToLive(ctx, grant.ID)
		return err == nil
	})
	if !ok {
		t.Fatalf("no TimeToLive from the new leader: %v", err)
	}
	t.Logf("remaining TTL %d s before the leader died, %d s after", before.TTL, after.TTL)
	if after.TTL < before.TTL-2 {
		t.Fatalf("a leader change shortened the lease: %d s -> %d s", before.TTL, after.TTL)
	}

	c.Start(lead)
	c.StopAll()
	for i := 0; i < 3; i++ {
		c.Start(i)
	}
	c.WaitReady(30 * time.Second)
	cli = c.Client()
	ttl, err := cli.TimeToLive(ctx, grant.ID, clientv3.WithAttachedKeys())
	if err != nil || ttl.TTL <= 0 || ttl.TTL > 31 || len(ttl.Keys) != 1 { // 30 s plus the election-timeout extension, rounded up
		t.Fatalf("after restarting every member: TTL %d, keys %q, err %v", ttl.TTL, ttl.Keys, err)
	}
	t.Logf("after restarting every member the lease has %d s left and its key", ttl.TTL)
}
