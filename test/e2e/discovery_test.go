package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/concordkv/concord/test/cluster"
)

// cache is a client's view of live instances, kept by a watch.
type cache struct {
	mu   sync.Mutex // protects live
	live map[string]string
}

func (c *cache) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Sorted(maps.Keys(c.live))
}

// follow loads the prefix and applies every later change, as a service
// discovery client does.
func (c *cache) follow(ctx context.Context, cli *clientv3.Client, prefix string) error {
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.live = map[string]string{}
	for _, kv := range resp.Kvs {
		c.live[string(kv.Key)] = string(kv.Value)
	}
	c.mu.Unlock()
	go func() {
		for wr := range cli.Watch(ctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(resp.Header.Revision+1)) {
			c.mu.Lock()
			for _, ev := range wr.Events {
				if ev.Type == mvccpb.PUT {
					c.live[string(ev.Kv.Key)] = string(ev.Kv.Value)
				} else {
					delete(c.live, string(ev.Kv.Key))
				}
			}
			c.mu.Unlock()
		}
	}()
	return nil
}

func TestServiceDiscoveryFlow(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	ctx := ctxFor(t, 60*time.Second)
	const prefix = "/services/order-service/"
	const ttl = 1

	type instance struct {
		cli  *clientv3.Client
		stop context.CancelFunc
	}
	var instances []instance
	for i := 0; i < 5; i++ {
		cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		ictx, stop := context.WithCancel(ctx)
		instances = append(instances, instance{cli, stop})
		t.Cleanup(func() { stop(); cli.Close() })
		g, err := cli.Grant(ictx, ttl)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Put(ictx, fmt.Sprintf("%sinstance-%d", prefix, i), fmt.Sprintf("10.0.0.%d:8080", i+1), clientv3.WithLease(g.ID)); err != nil {
			t.Fatal(err)
		}
		ka, err := cli.KeepAlive(ictx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for range ka {
			}
		}()
	}
	var view cache
	if err := view.follow(ctx, c.Client(c.Endpoint(1)), prefix); err != nil {
		t.Fatal(err)
	}
	want := func(ids ...int) []string {
		var out []string
		for _, i := range ids {
			out = append(out, fmt.Sprintf("%sinstance-%d", prefix, i))
		}
		return out
	}
	if got := view.snapshot(); !slices.Equal(got, want(0, 1, 2, 3, 4)) {
		t.Fatalf("cache %v, want all five instances", got)
	}

	// two instances die (their keepalives stop): the cache drops them
	// within TTL + 1 s, and only them
	instances[1].stop()
	instances[1].cli.Close()
	instances[3].stop()
	instances[3].cli.Close()
	killed := time.Now()
	ok := cluster.Eventually(time.Duration(ttl+1)*time.Second, func() bool {
		return slices.Equal(view.snapshot(), want(0, 2, 4))
	})
	if !ok {
		t.Fatalf("cache %v %v after the kill, want instances 0, 2, 4", view.snapshot(), time.Since(killed))
	}
	t.Logf("cache dropped the dead instances %v after they died", time.Since(killed))
	// and the live ones stay, kept alive, for several TTLs
	time.Sleep(3 * time.Second) // the behaviour under test is the passage of time
	resp, err := c.Client().Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, kv := range resp.Kvs {
		live = append(live, string(kv.Key))
	}
	if !slices.Equal(live, want(0, 2, 4)) || !slices.Equal(view.snapshot(), live) {
		t.Fatalf("registry %v, cache %v; want both instances 0, 2, 4", live, view.snapshot())
	}
}
