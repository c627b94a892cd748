package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ./cmd/concord once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		dir, err := os.MkdirTemp("", "concord-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "concord")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/concord")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, b)
		}
	})
	if buildErr != nil {
		t.Fatalf("cluster: build concord: %v", buildErr)
	}
	return binPath
}

// Process is a cluster of `concord serve` processes on loopback.
type Process struct {
	t       testing.TB
	bin     string
	urls    []memberURLs
	dirs    []string
	extra   []string
	mu      sync.Mutex // protects cmds
	cmds    []*exec.Cmd
	logDir  string
	exited  []chan struct{}
	cluster string
}

// StartProcesses starts n members with extra flags added to each
// `concord serve` and waits until the cluster has a leader.
func StartProcesses(t testing.TB, n int, extra ...string) *Process {
	t.Helper()
	p := &Process{t: t, bin: Binary(t), urls: allocate(t, n), extra: extra, logDir: t.TempDir()}
	p.cluster = initialCluster(p.urls)
	p.cmds = make([]*exec.Cmd, n)
	p.exited = make([]chan struct{}, n)
	for i := 0; i < n; i++ {
		p.dirs = append(p.dirs, filepath.Join(t.TempDir(), p.urls[i].name))
	}
	t.Cleanup(p.StopAll)
	for i := 0; i < n; i++ {
		p.Start(i)
	}
	p.WaitReady(30 * time.Second)
	return p
}

// Start starts member i (again) on its data directory.
func (p *Process) Start(i int) {
	p.t.Helper()
	u := p.urls[i]
	args := append([]string{"serve",
		"--name", u.name, "--data-dir", p.dirs[i],
		"--listen-client-urls", u.client, "--listen-peer-urls", u.peer,
		"--initial-cluster", p.cluster, "--initial-cluster-token", "test",
	}, p.extra...)
	logf, err := os.OpenFile(filepath.Join(p.logDir, u.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatalf("cluster: open log: %v", err)
	}
	cmd := exec.Command(p.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("cluster: start %s: %v", u.name, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmds[i], p.exited[i] = cmd, done
	p.mu.Unlock()
}

// Kill sends SIGKILL to member i and waits for it to exit.
func (p *Process) Kill(i int) { p.signal(i, syscall.SIGKILL) }

// Stop sends SIGTERM to member i and waits for it to exit.
func (p *Process) Stop(i int) { p.signal(i, syscall.SIGTERM) }

func (p *Process) signal(i int, sig syscall.Signal) {
	p.mu.Lock()
	cmd, done := p.cmds[i], p.exited[i]
	p.cmds[i] = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// StopAll kills every member still running.
func (p *Process) StopAll() {
	for i := range p.urls {
		p.Kill(i)
	}
}

// Running reports whether member i's process is alive (has not exited).
func (p *Process) Running(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmds[i] == nil {
		return false
	}
	select {
	case <-p.exited[i]:
		return false
	default:
		return true
	}
}

// Endpoint returns member i's client address (host:port).
func (p *Process) Endpoint(i int) string { return strings.TrimPrefix(p.urls[i].client, "http://") }

// DataDir returns member i's --data-dir: its WAL segments are in
// member/wal, its snapshots in member/snap. Touch them only while the member
// is not running.
func (p *Process) DataDir(i int) string { return p.dirs[i] }

// Endpoints returns every member's client address.
func (p *Process) Endpoints() []string {
	out := make([]string, len(p.urls))
	for i := range p.urls {
		out[i] = p.Endpoint(i)
	}
	return out
}

// Log returns member i's output so far.
func (p *Process) Log(i int) string {
	b, _ := os.ReadFile(filepath.Join(p.logDir, p.urls[i].name+".log"))
	return string(b)
}

// Client returns a clientv3 client for the given endpoints (all when none),
// closed when the test ends.
func (p *Process) Client(endpoints ...string) *clientv3.Client {
	p.t.Helper()
	if len(endpoints) == 0 {
		endpoints = p.Endpoints()
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		p.t.Fatalf("cluster: client: %v", err)
	}
	p.t.Cleanup(func() { cli.Close() })
	return cli
}

// WaitReady waits until every running member reports the same leader.
func (p *Process) WaitReady(timeout time.Duration) uint64 {
	p.t.Helper()
	var running []string
	for i := range p.urls {
		if p.Running(i) {
			running = append(running, p.Endpoint(i))
		}
	}
	cli := p.Client(running...)
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if lead, err := agreedLeader(cli, running); err == nil {
			return lead
		} else {
			last = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range p.urls {
		p.t.Logf("log of %s:\n%s", p.urls[i].name, tail(p.Log(i), 3000))
	}
	p.t.Fatalf("cluster: no agreed leader within %v: %v", timeout, last)
	return 0
}

func agreedLeader(cli *clientv3.Client, endpoints []string) (uint64, error) {
	var lead uint64
	for _, ep := range endpoints {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := cli.Status(ctx, ep)
		cancel()
		if err != nil {
			return 0, err
		}
		if st.Leader == 0 || (lead != 0 && st.Leader != lead) {
			return 0, fmt.Errorf("%s sees leader %x", ep, st.Leader)
		}
		lead = st.Leader
	}
	// the leader must also accept writes (it has committed an entry of its term)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := cli.Get(ctx, "cluster-ready-probe")
	return lead, err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
