package e2e

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/bench/systems"
	"github.com/concordkv/concord/test/cluster"
)

// debianEtcd is the etcd 3.4 server of Debian's etcd-server package.
const debianEtcd = "/usr/bin/etcd"

// TestCheckAgainstEtcd runs `concord check` against a real etcd cluster:
// the checkers must find no violation in a store we did not write, which
// is how we know they do not reject correct histories.
func TestCheckAgainstEtcd(t *testing.T) {
	if _, err := os.Stat(debianEtcd); err != nil {
		t.Skipf("%s not installed: run scripts/install-deps.sh (Debian's etcd-server) to run this test (%v)", debianEtcd, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := (&systems.Etcd{Bin: debianEtcd}).Start(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("etcd: %v", err)
		}
	})
	requireCheckPasses(t, c.EtcdEndpoints)
}

// TestCheckAgainstConcord runs `concord check` against three `concord
// serve` processes.
func TestCheckAgainstConcord(t *testing.T) {
	c := cluster.StartProcesses(t, 3)
	requireCheckPasses(t, c.Endpoints())
}

// requireCheckPasses runs the freshly built `concord check` against
// endpoints for 10 s and fails unless every workload ran and passed.
func requireCheckPasses(t *testing.T, endpoints []string) {
	t.Helper()
	seed := strconv.FormatInt(time.Now().UnixNano(), 10)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, cluster.Binary(t), "check",
		"--endpoints", strings.Join(endpoints, ","), "--duration", "10s",
		"--seed", seed, "--artifacts", t.TempDir()).CombinedOutput()
	t.Logf("concord check --seed %s:\n%s", seed, out)
	if err != nil {
		t.Fatalf("concord check: %v", err)
	}
	rows := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) == 6 {
			rows[f[0]] = f
		}
	}
	for _, w := range []string{"register", "append", "lock", "watch"} {
		row, ok := rows[w]
		if !ok {
			t.Errorf("no summary row for %s", w)
			continue
		}
		if ops, err := strconv.Atoi(row[1]); err != nil || ops == 0 || row[5] != "ok" {
			t.Errorf("%s: want operations and ok, got %q", w, row)
		}
	}
}
