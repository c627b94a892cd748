package systems

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildConcord builds ./cmd/concord for the test.
func buildConcord(t *testing.T) *Concord {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(t.TempDir(), "concord")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rev, err := BuildConcord(ctx, root, bin)
	if err != nil {
		t.Fatal(err)
	}
	return &Concord{Bin: bin, Revision: rev}
}

// TestConcordCluster starts three members, finds the leader, and checks
// that Stop leaves none of the processes behind.
func TestConcordCluster(t *testing.T) {
	c := buildConcord(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := c.Start(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			cl.Stop()
		}
	}()
	if len(cl.EtcdEndpoints) != 3 || len(cl.ZKServers) != 3 || len(cl.PIDs()) != 3 {
		t.Fatalf("cluster = %+v", cl)
	}
	if _, err := cl.Leader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cl.Check(); err != nil {
		t.Fatal(err)
	}
	pids := cl.PIDs()
	stopped = true
	if err := cl.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("member %d still exists after Stop (kill 0: %v)", pid, err)
		}
	}
}

// TestCheckReportsDeadMember kills a member behind the cluster's back.
func TestCheckReportsDeadMember(t *testing.T) {
	p, err := startProcess("sleeper", t.TempDir(), filepath.Join(t.TempDir(), "log"), "/bin/sleep", []string{"60"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl := &Cluster{System: "test", procs: []*process{p}}
	if err := cl.Check(); err != nil {
		t.Fatalf("Check on a live member: %v", err)
	}
	syscall.Kill(p.PID(), syscall.SIGKILL)
	<-p.exited
	if err := cl.Check(); err == nil || !strings.Contains(err.Error(), "sleeper exited on its own") {
		t.Fatalf("Check after kill = %v", err)
	}
	if err := cl.Stop(); err == nil {
		t.Fatal("Stop did not report the member that died on its own")
	}
}

func TestZooCfg(t *testing.T) {
	cfg := zooCfg("/d", 2181, []string{"server.1=127.0.0.1:1:2", "server.2=127.0.0.1:3:4"})
	for _, want := range []string{"dataDir=/d\n", "clientPort=2181\n", "clientPortAddress=127.0.0.1\n", "maxClientCnxns=0\n", "server.2=127.0.0.1:3:4\n"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("zoo.cfg lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "forceSync=no") {
		t.Error("zoo.cfg turns fsync off")
	}
}
