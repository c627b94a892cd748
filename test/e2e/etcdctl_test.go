package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/test/cluster"
)

// etcdctl runs Debian's etcdctl (3.4, API v3) against endpoints and returns
// its combined output.
type etcdctl struct {
	t         *testing.T
	path      string
	endpoints string
}

func newEtcdctl(t *testing.T, c *cluster.Process) etcdctl {
	path, err := exec.LookPath("etcdctl")
	if err != nil {
		t.Skip("etcdctl not installed: run scripts/install-deps.sh (Debian's etcd-client) to run this test")
	}
	return etcdctl{t: t, path: path, endpoints: strings.Join(c.Endpoints(), ",")}
}

func (e etcdctl) cmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.path, append([]string{"--endpoints", e.endpoints, "--command-timeout", "10s"}, args...)...)
	cmd.Env = append(cmd.Environ(), "ETCDCTL_API=3")
	return cmd
}

func (e etcdctl) run(args ...string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := e.cmd(ctx, args...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("etcdctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// background starts a long-running etcdctl and returns a line reader of its
// stdout; the process is killed when the test ends.
func (e etcdctl) background(args ...string) (*bufio.Scanner, context.CancelFunc) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := e.cmd(ctx, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	// stop interrupts etcdctl as a user's Ctrl-C would (it then unlocks or
	// resigns), and kills it if it has not exited within 5 s.
	stop := func() {
		if cmd.Process != nil {
			cmd.Process.Signal(os.Interrupt)
		}
		t := time.AfterFunc(5*time.Second, cancel)
		cmd.Wait()
		t.Stop()
		cancel()
	}
	e.t.Cleanup(stop)
	return bufio.NewScanner(out), stop
}

// expectLine reads lines until one contains want.
func expectLine(t *testing.T, sc *bufio.Scanner, want string, timeout time.Duration) {
	t.Helper()
	found := make(chan bool, 1)
	go func() {
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		if !ok {
			t.Fatalf("etcdctl output ended without %q", want)
		}
	case <-time.After(timeout):
		t.Fatalf("no line with %q within %v", want, timeout)
	}
}

var leaseID = regexp.MustCompile(`lease ([0-9a-f]+) granted with TTL\((\d+)s\)`)

func TestEtcdctl(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	ctl := newEtcdctl(t, c)

	t.Run("put get del", func(t *testing.T) {
		if out := ctl.run("put", "/config/feature-x", "on"); !strings.Contains(out, "OK") {
			t.Fatalf("put: %s", out)
		}
		if out := ctl.run("get", "/config/", "--prefix"); out != "/config/feature-x\non\n" {
			t.Fatalf("get: %q", out)
		}
		if out := ctl.run("del", "/config/feature-x"); strings.TrimSpace(out) != "1" {
			t.Fatalf("del: %q", out)
		}
		if out := ctl.run("endpoint", "status"); strings.Count(out, "3.6.0") != 3 {
			t.Fatalf("endpoint status: %s", out)
		}
		if out := ctl.run("member", "list"); strings.Count(out, "started") != 3 {
			t.Fatalf("member list: %s", out)
		}
	})
	t.Run("lease grant timetolive keep-alive revoke", func(t *testing.T) {
		m := leaseID.FindStringSubmatch(ctl.run("lease", "grant", "5"))
		if m == nil {
			t.Fatal("lease grant printed no lease ID")
		}
		id := m[1]
		ctl.run("put", "--lease="+id, "/svc/a", "x")
		if out := ctl.run("lease", "timetolive", id, "--keys"); !strings.Contains(out, "granted with TTL(5s)") || !strings.Contains(out, "/svc/a") {
			t.Fatalf("timetolive: %s", out)
		}
		sc, stop := ctl.background("lease", "keep-alive", id)
		expectLine(t, sc, "keepalived with TTL(5)", 10*time.Second)
		stop()
		if out := ctl.run("lease", "revoke", id); !strings.Contains(out, "revoked") {
			t.Fatalf("revoke: %s", out)
		}
		if out := ctl.run("get", "/svc/a"); out != "" {
			t.Fatalf("key of a revoked lease still there: %q", out)
		}
		if out := ctl.run("lease", "timetolive", id); !strings.Contains(out, "already expired") {
			t.Fatalf("timetolive after revoke: %s", out)
		}
	})
	t.Run("watch --prefix", func(t *testing.T) {
		sc, _ := ctl.background("watch", "/jobs/", "--prefix")
		time.Sleep(500 * time.Millisecond) // etcdctl prints nothing when its watch is set up
		ctl.run("put", "/jobs/1", "queued")
		expectLine(t, sc, "PUT", 10*time.Second)
		expectLine(t, sc, "/jobs/1", 5*time.Second)
		ctl.run("del", "/jobs/1")
		expectLine(t, sc, "DELETE", 10*time.Second)
	})
	t.Run("lock", func(t *testing.T) {
		holder, stop := ctl.background("lock", "/locks/report")
		expectLine(t, holder, "/locks/report/", 10*time.Second)
		second, stopSecond := ctl.background("lock", "/locks/report", "echo", "second")
		got := make(chan bool, 1)
		go func() { got <- second.Scan() }()
		select {
		case <-got:
			t.Fatalf("a second holder got the lock while the first held it: %s", second.Text())
		case <-time.After(1500 * time.Millisecond):
		}
		stopSecond()
		stop()
		if out := ctl.run("lock", "/locks/report", "echo", "got-it"); !strings.Contains(out, "got-it") {
			t.Fatalf("lock after release: %s", out)
		}
	})
	t.Run("elect", func(t *testing.T) {
		leader, stop := ctl.background("elect", "/leaders/inventory-cleanup", "instance-1")
		expectLine(t, leader, "instance-1", 10*time.Second)
		observer, _ := ctl.background("elect", "-l", "/leaders/inventory-cleanup")
		expectLine(t, observer, "instance-1", 10*time.Second)
		second, _ := ctl.background("elect", "/leaders/inventory-cleanup", "instance-2")
		stop() // the leader resigns
		expectLine(t, second, "instance-2", 10*time.Second)
		expectLine(t, observer, "instance-2", 10*time.Second)
	})
}
