package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/internal/check"
	"github.com/concordkv/concord/test/cluster"
)

// linDuration is how long the workload runs under faults; CI uses the
// default, CONCORD_LIN_SECONDS makes a longer run.
func linDuration(t *testing.T) time.Duration {
	if s := os.Getenv("CONCORD_LIN_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("CONCORD_LIN_SECONDS=%q: %v", s, err)
		}
		return time.Duration(n) * time.Second
	}
	return 8 * time.Second
}

// nemesis injects one random fault at a time into c and undoes it, until
// ctx is done; it returns how many faults of each kind it injected.
func nemesis(ctx context.Context, t *testing.T, c *cluster.InProc, seed uint64) map[string]int {
	rng := rand.New(rand.NewPCG(seed, 0))
	counts := map[string]int{}
	pause := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	for ctx.Err() == nil {
		victim := rng.IntN(c.Size())
		hold := time.Duration(200+rng.IntN(800)) * time.Millisecond
		switch kind := rng.IntN(5); kind {
		case 0:
			counts["isolate-leader"]++
			if lead := c.Leader(); lead >= 0 {
				victim = lead
			}
			c.Faults.Isolate(c.ID(victim))
		case 1:
			counts["isolate-member"]++
			c.Faults.Isolate(c.ID(victim))
		case 2:
			counts["one-way-cut"]++
			c.Faults.Cut(c.ID(victim), c.ID((victim+1)%c.Size()))
		case 3:
			counts["delay-link"]++
			c.Faults.SetDelay(c.ID(victim), c.ID((victim+1)%c.Size()), 50*time.Millisecond)
		default:
			counts["restart-member"]++
			c.Stop(victim)
			if !pause(hold) {
				c.Start(victim)
				return counts
			}
			c.Start(victim)
			continue
		}
		pause(hold)
		c.Faults.Heal()
		if !pause(time.Duration(100+rng.IntN(300)) * time.Millisecond) {
			return counts
		}
	}
	return counts
}

func TestLinearizableUnderFaults(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CONCORD_LIN_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (replay with CONCORD_LIN_SEED=%d)", seed, seed)
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{SnapshotCount: 300, SnapshotCatchUpEntries: 50})
	var clients []*clientv3.Client
	for i := 0; i < c.Size(); i++ {
		clients = append(clients, c.Client(i))
	}
	h := check.NewHistory()
	ctx, cancel := context.WithTimeout(context.Background(), linDuration(t))
	defer cancel()
	var faults map[string]int
	var wg sync.WaitGroup
	wg.Go(func() { faults = nemesis(ctx, t, c, seed) })
	w := &check.RegisterWorkload{Clients: clients, Workers: 6, Keys: 3, Seed: seed, OpTimeout: 800 * time.Millisecond}
	w.Run(ctx, h)
	wg.Wait()
	c.Faults.Heal()

	res, err := h.Check(2*time.Minute, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range faults {
		total += n
	}
	t.Logf("checked %d operations (%d writes with unknown outcome) under %d faults %v: %v",
		res.Operations, res.Unknown, total, faults, verdictName(res.Verdict))
	if res.Operations < 100 {
		t.Fatalf("only %d operations completed: the cluster made too little progress to check", res.Operations)
	}
	if res.Verdict != porcupine.Ok {
		t.Fatalf("history is %s; visualization at %s", verdictName(res.Verdict), res.Visualization)
	}
	requireConverged(t, c, 20*time.Second)
}

func verdictName(r porcupine.CheckResult) string {
	switch r {
	case porcupine.Ok:
		return "linearizable"
	case porcupine.Illegal:
		return "NOT linearizable"
	default:
		return fmt.Sprintf("undecided (%v)", r)
	}
}
