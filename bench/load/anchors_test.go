package load

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/concordkv/concord/bench/systems"
)

// These tests run every workload briefly against real etcd and ZooKeeper
// clusters, to check the generator speaks their protocols. They skip when
// the Debian packages are not installed (scripts/install-deps.sh).

func TestSmokeEtcd(t *testing.T) {
	e := &systems.Etcd{}
	if err := e.Installed(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	t.Parallel()
	smokeAnchor(t, e)
}

func TestSmokeZooKeeper(t *testing.T) {
	z := &systems.ZooKeeper{}
	if err := z.Installed(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	t.Parallel()
	smokeAnchor(t, z)
}

func smokeAnchor(t *testing.T, s systems.System) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := s.Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Stop()
	leader, err := cl.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	target := Target{System: s.Name(), EtcdEndpoints: cl.EtcdEndpoints, ZKServers: cl.ZKServers, Leader: leader}
	opts := Options{Warmup: 20 * time.Millisecond, Duration: 150 * time.Millisecond, ValueSize: 256, Scale: 50}
	ran := 0
	for _, w := range Workloads(true) {
		r, err := Run(ctx, w, target, opts, nil)
		if err == nil && r.Ops == 0 {
			// A starved machine (other packages' tests run alongside) can
			// complete nothing in the short window; give it one long one.
			long := opts
			long.Duration = 2 * time.Second
			r, err = Run(ctx, w, target, long, nil)
		}
		switch {
		case errors.Is(err, ErrUnsupported):
			continue
		case err != nil:
			t.Errorf("%s: %v", w.Name, err)
		case r.Errors > 0:
			t.Errorf("%s: %d errors, first: %s", w.Name, r.Errors, r.FirstError)
		case r.Ops == 0:
			t.Errorf("%s: no operation completed", w.Name)
		}
		ran++
	}
	if ran == 0 {
		t.Fatal("no workload supported")
	}
	if err := cl.Check(); err != nil {
		t.Fatal(err)
	}
}
