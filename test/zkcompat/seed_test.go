package zkcompat

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/concordkv/concord/test/cluster"
)

// testLeaderElection is the seed's leader election over the ZooKeeper
// protocol: five services race to create the ephemeral
// /leaders/inventory-cleanup, exactly one wins and the others watch it; when
// the winner's connection dies, its session expires, the node goes, and
// exactly one follower takes over within the session timeout + 1 s.
func testLeaderElection(t *testing.T, tg *target) {
	const n, path = 5, "/leaders/inventory-cleanup"
	obs := tg.connect(t, connectOpts{})
	mustCreate(t, obs, "/leaders", "")
	services := make([]*client, n)
	for i := range services {
		services[i] = tg.connect(t, connectOpts{timeout: 2 * time.Second})
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	type outcome struct {
		service int
		first   error // the result of the first create, in the race
		err     error // why campaigning stopped, when it was not by winning
		at      time.Time
	}
	results := make(chan outcome, n)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	start := make(chan struct{})
	for i, c := range services {
		wg.Go(func() {
			<-start
			first, err := campaign(ctx, c, path, fmt.Sprintf("service-%d", i+1))
			results <- outcome{i, first, err, time.Now()}
		})
	}
	close(start)

	won := <-results
	if won.err != nil || won.first != nil {
		t.Fatalf("service-%d: first create %v, campaign %v", won.service+1, won.first, won.err)
	}
	select {
	case r := <-results:
		t.Fatalf("service-%d also stopped campaigning (first create %v, %v) while service-%d leads",
			r.service+1, r.first, r.err, won.service+1)
	case <-time.After(time.Second):
	}
	mustSync(t, obs, path)
	data, st, err := obs.Get(path)
	if err != nil || string(data) != fmt.Sprintf("service-%d", won.service+1) || st.EphemeralOwner != services[won.service].SessionID() {
		t.Fatalf("leader node = %q owned by %#x (%v); want service-%d's", data, st.EphemeralOwner, err, won.service+1)
	}

	leader := services[won.service]
	timeout := negotiatedTimeout(leader)
	cut := time.Now()
	leader.net.cutOff()
	next := <-results
	if next.err != nil {
		t.Fatalf("service-%d: %v", next.service+1, next.err)
	}
	took := next.at.Sub(cut)
	t.Logf("service-%d took over %v after service-%d's connection died (session timeout %v)",
		next.service+1, took.Round(10*time.Millisecond), won.service+1, timeout)
	if took > timeout+time.Second {
		t.Errorf("takeover took %v, more than the session timeout %v + 1 s", took, timeout)
	}
	if codeOf(next.first) != "NODEEXISTS" {
		t.Errorf("service-%d's first create in the race: %v, want NODEEXISTS", next.service+1, next.first)
	}
	select {
	case r := <-results:
		t.Fatalf("service-%d also took over (%v)", r.service+1, r.err)
	case <-time.After(time.Second):
	}
	mustSync(t, obs, path)
	if _, st, err := obs.Get(path); err != nil || st.EphemeralOwner != services[next.service].SessionID() {
		t.Fatalf("leader node owned by %#x (%v), want service-%d's session", st.EphemeralOwner, err, next.service+1)
	}
}

// campaign tries to create the ephemeral leader node and, while another
// session holds it, watches it and tries again when it goes. It returns the
// first create's error (nil if this client won the race) and why it
// stopped: nil when it became leader, ctx's error when it gave up.
func campaign(ctx context.Context, c *client, path, name string) (first, err error) {
	for attempt := 0; ; attempt++ {
		_, err := c.Create(path, []byte(name), zk.FlagEphemeral, openACL)
		if attempt == 0 {
			first = err
		}
		if err == nil {
			return first, nil
		}
		if codeOf(err) != "NODEEXISTS" {
			return first, fmt.Errorf("create %s: %w", path, err)
		}
		exists, _, ch, err := c.ExistsW(path)
		if err != nil {
			return first, fmt.Errorf("watch %s: %w", path, err)
		}
		if !exists {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return first, ctx.Err()
		}
	}
}

// testServiceDiscovery is the seed's service discovery over the ZooKeeper
// protocol: order-service instances register ephemeral nodes under
// /services/order-service; a client keeps a cache of them with child
// watches, and the cache follows instances that die, leave and join.
func testServiceDiscovery(t *testing.T, tg *target) {
	const base = "/services/order-service"
	obs := tg.connect(t, connectOpts{})
	mustCreate(t, obs, "/services", "")
	mustCreate(t, obs, base, "")

	reader := tg.connect(t, connectOpts{})
	cache := &discoveryCache{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { cache.follow(ctx, reader, base) })
	t.Cleanup(func() { cancel(); wg.Wait() }) // before reader closes

	instances := map[int]*client{}
	register := func(i int) {
		c := tg.connect(t, connectOpts{timeout: 2 * time.Second})
		if _, err := c.Create(fmt.Sprintf("%s/instance-%d", base, i), fmt.Appendf(nil, "10.0.0.%d:8080", i), zk.FlagEphemeral, openACL); err != nil {
			t.Fatalf("register instance-%d: %v", i, err)
		}
		instances[i] = c
	}
	expect := func(step string, within time.Duration) {
		t.Helper()
		var want []string
		for _, i := range slices.Sorted(maps.Keys(instances)) {
			want = append(want, fmt.Sprintf("instance-%d=10.0.0.%d:8080", i, i))
		}
		start := time.Now()
		if !cluster.Eventually(within, func() bool { return slices.Equal(cache.live(), want) }) {
			t.Fatalf("%s: cache %v, want %v after %v (follow error: %v)", step, cache.live(), want, within, cache.error())
		}
		t.Logf("%s: cache right after %v", step, time.Since(start).Round(10*time.Millisecond))
	}

	for i := 1; i <= 5; i++ {
		register(i)
	}
	expect("five registered", watchWait)
	timeout := negotiatedTimeout(instances[1])
	for _, i := range []int{1, 2} {
		instances[i].net.cutOff() // crashed: their sessions expire
		delete(instances, i)
	}
	expect("two crashed", timeout+expirySlack+time.Second)
	instances[3].Close() // shut down cleanly
	delete(instances, 3)
	expect("one left", watchWait)
	register(6)
	expect("one joined", watchWait)

	mustSync(t, obs, base)
	kids, _, err := obs.Children(base)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(kids)
	if !slices.Equal(kids, []string{"instance-4", "instance-5", "instance-6"}) {
		t.Errorf("live set %v", kids)
	}
}

// discoveryCache is a client's view of live instances, kept with child
// watches as a ZooKeeper service-discovery client keeps it.
type discoveryCache struct {
	mu    sync.Mutex // protects the fields below
	nodes map[string]string
	err   error
}

// follow lists base's children with a watch, reads each, and lists again
// when the watch fires, until ctx ends or a request fails.
func (d *discoveryCache) follow(ctx context.Context, c *client, base string) {
	for {
		kids, _, ch, err := c.ChildrenW(base)
		if err != nil {
			d.fail(err)
			return
		}
		nodes := map[string]string{}
		for _, k := range kids {
			data, _, err := c.Get(base + "/" + k)
			if codeOf(err) == "NONODE" {
				continue // gone since the listing; the watch will tell
			}
			if err != nil {
				d.fail(err)
				return
			}
			nodes[k] = string(data)
		}
		d.mu.Lock()
		d.nodes = nodes
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

func (d *discoveryCache) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

func (d *discoveryCache) error() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// live returns the cached instances as sorted "name=address" strings.
func (d *discoveryCache) live() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(d.nodes)) {
		out = append(out, k+"="+d.nodes[k])
	}
	return out
}
