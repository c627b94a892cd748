package e2e

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3election/v3electionpb"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3lock/v3lockpb"

	"github.com/concordkv/concord/test/cluster"
)

// The Lock and Election gRPC services (etcd's v3lock and v3election), called
// directly as etcd's gRPC gateway and non-Go clients do.
func TestLockAndElectionServices(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	ctx := ctxFor(t, 60*time.Second)
	cli := c.Client()
	locks := v3lockpb.NewLockClient(cli.ActiveConnection())
	elections := v3electionpb.NewElectionClient(cli.ActiveConnection())
	l1, err := cli.Grant(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := cli.Grant(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("lock waits for the holder, keys give fencing tokens", func(t *testing.T) {
		first, err := locks.Lock(ctx, &v3lockpb.LockRequest{Name: []byte("/locks/job"), Lease: int64(l1.ID)})
		if err != nil {
			t.Fatalf("lock: %v", err)
		}
		second := make(chan *v3lockpb.LockResponse, 1)
		go func() {
			r, err := locks.Lock(ctx, &v3lockpb.LockRequest{Name: []byte("/locks/job"), Lease: int64(l2.ID)})
			if err != nil {
				t.Errorf("second lock: %v", err)
			}
			second <- r
		}()
		select {
		case <-second:
			t.Fatal("the second holder got the lock while the first held it")
		case <-time.After(time.Second):
		}
		if _, err := locks.Unlock(ctx, &v3lockpb.UnlockRequest{Key: first.Key}); err != nil {
			t.Fatalf("unlock: %v", err)
		}
		got := <-second
		tok1, _ := cli.Get(ctx, string(first.Key), clientv3.WithRev(first.Header.Revision))
		tok2, _ := cli.Get(ctx, string(got.Key))
		if len(tok1.Kvs) != 1 || len(tok2.Kvs) != 1 || tok2.Kvs[0].CreateRevision <= tok1.Kvs[0].CreateRevision {
			t.Fatalf("fencing tokens do not grow: %v then %v", tok1.Kvs, tok2.Kvs)
		}
		locks.Unlock(ctx, &v3lockpb.UnlockRequest{Key: got.Key})
	})

	t.Run("campaign leader proclaim observe resign", func(t *testing.T) {
		name := []byte("/leaders/inventory-cleanup")
		lead, err := elections.Campaign(ctx, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l1.ID), Value: []byte("instance-1")})
		if err != nil {
			t.Fatalf("campaign: %v", err)
		}
		octx, stop := context.WithCancel(ctx)
		defer stop()
		obs, err := elections.Observe(octx, &v3electionpb.LeaderRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := obs.Recv(); err != nil || string(r.Kv.Value) != "instance-1" {
			t.Fatalf("observe first = %v, %v", r, err)
		}
		if _, err := elections.Proclaim(ctx, &v3electionpb.ProclaimRequest{Leader: lead.Leader, Value: []byte("instance-1 v2")}); err != nil {
			t.Fatalf("proclaim: %v", err)
		}
		if r, err := obs.Recv(); err != nil || string(r.Kv.Value) != "instance-1 v2" {
			t.Fatalf("observe after proclaim = %v, %v", r, err)
		}
		waiting := make(chan *v3electionpb.CampaignResponse, 1)
		go func() {
			r, err := elections.Campaign(ctx, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l2.ID), Value: []byte("instance-2")})
			if err != nil {
				t.Errorf("second campaign: %v", err)
			}
			waiting <- r
		}()
		if _, err := elections.Resign(ctx, &v3electionpb.ResignRequest{Leader: lead.Leader}); err != nil {
			t.Fatalf("resign: %v", err)
		}
		next := <-waiting
		if r, err := obs.Recv(); err != nil || string(r.Kv.Value) != "instance-2" {
			t.Fatalf("observe after resign = %v, %v", r, err)
		}
		cur, err := elections.Leader(ctx, &v3electionpb.LeaderRequest{Name: name})
		if err != nil || string(cur.Kv.Key) != string(next.Leader.Key) {
			t.Fatalf("leader = %v, %v; want %s", cur, err, next.Leader.Key)
		}
		// a deposed leader cannot proclaim
		if _, err := elections.Proclaim(ctx, &v3electionpb.ProclaimRequest{Leader: lead.Leader, Value: []byte("stale")}); err == nil {
			t.Fatal("a resigned leader proclaimed")
		}
	})
}
