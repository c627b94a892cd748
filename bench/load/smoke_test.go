package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/concordkv/concord/bench/systems"
	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/server"
)

// startConcord starts a single in-process Concord member and returns its
// client address.
// startConcord starts one in-process member and returns its etcd v3 and
// ZooKeeper addresses.
func startConcord(t *testing.T) (etcd, zk string) {
	t.Helper()
	ports, err := systems.FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Name = "smoke"
	cfg.DataDir = filepath.Join(t.TempDir(), "smoke")
	client := fmt.Sprintf("127.0.0.1:%d", ports[0])
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	cfg.ListenClientURLs, cfg.ListenPeerURLs = []string{"http://" + client}, []string{peer}
	cfg.InitialCluster = map[string][]string{cfg.Name: {peer}}
	cfg.ZK.ListenAddr = fmt.Sprintf("127.0.0.1:%d", ports[2])
	s, err := server.New(cfg, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("start concord: %v", err)
	}
	t.Cleanup(s.Stop)
	return client, cfg.ZK.ListenAddr
}

// TestSmokeConcord runs every workload briefly against one Concord member,
// the zk-* ones through its ZooKeeper front end. It checks that each either
// runs without errors or reports itself unsupported with a reason; it
// asserts nothing about speed.
func TestSmokeConcord(t *testing.T) {
	etcd, zk := startConcord(t)
	target := Target{System: "Concord", EtcdEndpoints: []string{etcd}, ZKServers: []string{zk}}
	opts := Options{Warmup: 50 * time.Millisecond, Duration: 200 * time.Millisecond, ValueSize: 256, Scale: 50}
	for _, w := range Workloads(true) {
		t.Run(w.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			r, err := Run(ctx, w, target, opts, nil)
			if errors.Is(err, ErrUnsupported) {
				t.Logf("n/a: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if r.Errors > 0 {
				t.Fatalf("%d errors, first: %s", r.Errors, r.FirstError)
			}
			if r.Ops == 0 || r.Latency.Len() == 0 {
				t.Fatalf("no operations completed: %+v", r)
			}
			t.Logf("%d ops, p50 %v, extra %v", r.Ops, r.Latency.Quantile(0.5), r.Extra)
		})
	}
}
