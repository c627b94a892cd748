package zkcompat

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/bench/systems"
	"github.com/concordkv/concord/test/cluster"
)

// targetEnv names the environment variable that picks the service under
// test: "concord" (the default) or "zookeeper".
const targetEnv = "CONCORD_ZK_TARGET"

type kind string

const (
	concordKind   kind = "concord"
	zookeeperKind kind = "zookeeper"
)

// target is a running three-member service speaking the ZooKeeper protocol.
type target struct {
	kind    kind
	servers []string // the members' ZooKeeper client addresses, in member order
}

// kindUnderTest reads targetEnv.
func kindUnderTest(t *testing.T) kind {
	switch v := os.Getenv(targetEnv); v {
	case "", string(concordKind):
		return concordKind
	case string(zookeeperKind):
		return zookeeperKind
	default:
		t.Fatalf("%s=%q: want %q or %q", targetEnv, v, concordKind, zookeeperKind)
		return ""
	}
}

// startTarget starts the service under test for t; it is stopped when t
// ends.
func startTarget(t *testing.T) *target {
	t.Helper()
	return startKind(t, kindUnderTest(t))
}

func startKind(t *testing.T, k kind) *target {
	t.Helper()
	start := time.Now()
	var tg *target
	if k == concordKind {
		tg = startConcord(t)
	} else {
		tg = startZooKeeper(t)
	}
	t.Logf("%s members %v serving after %v", k, tg.servers, time.Since(start).Round(time.Millisecond))
	return tg
}

// zkSettings are the ensemble's settings that differ from Debian's: a
// 500 ms tick, so that sessions of 1 s to 10 s are allowed and expire within
// a tick of their timeout (Debian's 2 s tick would add up to 2 s); TTL nodes
// (extended types); and the container/TTL reaper every 200 ms instead of
// every minute.
var zkSettings = systems.ZooKeeper{
	Config:   []string{"tickTime=500"},
	JVMFlags: []string{"-Dzookeeper.extendedTypesEnabled=true", "-Dznode.container.checkIntervalMs=200"},
}

// startZooKeeper starts three members of Debian's ZooKeeper 3.8.
func startZooKeeper(t *testing.T) *target {
	t.Helper()
	z := zkSettings
	if err := z.Installed(); err != nil {
		t.Skipf("real ZooKeeper not available: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := z.Start(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("start ZooKeeper: %v", err)
	}
	t.Cleanup(func() {
		if err := cl.Stop(); err != nil {
			t.Errorf("stop ZooKeeper: %v", err)
		}
	})
	return &target{kind: zookeeperKind, servers: cl.ZKServers}
}

// zkFlag is the `concord serve` flag the ZooKeeper front end listens on.
const zkFlag = "--listen-zk-addr"

// concordZKSettings give Concord the session limits and connection limit
// of the ZooKeeper ensemble above: sessions of 1 s to 10 s (tickTime 500),
// no limit of connections from one address (maxClientCnxns=0).
var concordZKSettings = []string{
	"--zk-min-session-timeout", "1000",
	"--zk-max-session-timeout", "10000",
	"--zk-max-client-cnxns", "0",
}

// startConcord starts three `concord serve` processes, each serving the
// ZooKeeper protocol on a port of its own (test/cluster gives each member
// --listen-zk-addr), or skips t when the binary has no ZooKeeper front end
// yet.
func startConcord(t *testing.T) *target {
	t.Helper()
	bin := cluster.Binary(t)
	if !hasFlag(bin, zkFlag) {
		t.Skipf("ZooKeeper front end not built yet (no %s in `concord serve --help`); %s=%s runs these tests against real ZooKeeper",
			zkFlag, targetEnv, zookeeperKind)
	}
	p := cluster.StartProcesses(t, 3, concordZKSettings...) // each member on a ZooKeeper port of its own
	servers := p.ZKAddrs()
	for i, s := range servers {
		if err := waitSession(s, 30*time.Second); err != nil {
			t.Fatalf("concord ZooKeeper front end of member %d at %s: %v; its log ends:\n%s", i, s, err, lastLines(p.Log(i), 40))
		}
	}
	return &target{kind: concordKind, servers: servers}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// hasFlag reports whether `bin serve --help` lists flag.
func hasFlag(bin, flag string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, "serve", "--help").CombinedOutput() // --help exits non-zero
	return strings.Contains(string(out), "-"+strings.TrimLeft(flag, "-")+" ")
}
