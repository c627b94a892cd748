package cluster

import (
	"context"
	"errors"
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
		dir, err := os.MkdirTemp("", "concord-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "concord")
		buildErr = build(binPath)
	})
	if buildErr != nil {
		t.Fatalf("cluster: build concord: %v", buildErr)
	}
	return binPath
}

// BinaryWithTags builds ./cmd/concord with the given build tags into the
// test's temporary directory and returns its path; the fault harness uses
// it for deliberately broken builds.
func BinaryWithTags(t testing.TB, tags ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "concord")
	if err := build(path, "-tags", strings.Join(tags, ",")); err != nil {
		t.Fatalf("cluster: build concord with tags %v: %v", tags, err)
	}
	return path
}

// build runs go build of ./cmd/concord into out from the module root.
func build(out string, flags ...string) error {
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	cmd := exec.Command("go", append(append([]string{"build", "-o", out}, flags...), "./cmd/concord")...)
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(mod)))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	return nil
}

// Process is a cluster of `concord serve` processes on loopback.
type Process struct {
	t       testing.TB
	bin     string
	urls    []memberURLs
	dirs    []string
	extra   []string
	flags   [][]string // member i's own flags, set before it starts
	mu      sync.Mutex // protects cmds and paused
	cmds    []*exec.Cmd
	paused  []bool
	logDir  string
	exited  []chan struct{}
	cluster string
}

// StartProcesses starts n members with extra flags added to each
// `concord serve` and waits until the cluster has a leader.
func StartProcesses(t testing.TB, n int, extra ...string) *Process {
	t.Helper()
	p := NewProcesses(t, n, extra...)
	p.StartAll(30 * time.Second)
	return p
}

// NewProcesses prepares n members with extra flags added to each `concord
// serve`, without starting them, so that a test can first choose the binary
// (SetBinary) or give members flags that name the others' addresses
// (SetFlags); StartAll starts them.
func NewProcesses(t testing.TB, n int, extra ...string) *Process {
	t.Helper()
	p := &Process{t: t, bin: Binary(t), urls: allocate(t, n), extra: extra, logDir: t.TempDir()}
	p.cluster = initialCluster(p.urls)
	p.cmds = make([]*exec.Cmd, n)
	p.exited = make([]chan struct{}, n)
	p.flags = make([][]string, n)
	p.paused = make([]bool, n)
	for i := 0; i < n; i++ {
		p.dirs = append(p.dirs, filepath.Join(t.TempDir(), p.urls[i].name))
	}
	t.Cleanup(p.StopAll)
	return p
}

// SetBinary makes later starts run the concord binary at path.
func (p *Process) SetBinary(path string) { p.bin = path }

// SetFlags adds flags to member i's later starts.
func (p *Process) SetFlags(i int, flags ...string) { p.flags[i] = flags }

// StartAll starts every member and waits until they agree on a leader.
func (p *Process) StartAll(timeout time.Duration) {
	p.t.Helper()
	for i := range p.urls {
		p.Start(i)
	}
	p.WaitReady(timeout)
}

// Start starts member i (again) on its data directory.
func (p *Process) Start(i int) {
	p.t.Helper()
	u := p.urls[i]
	args := append([]string{"serve",
		"--name", u.name, "--data-dir", p.dirs[i],
		"--listen-client-urls", u.client, "--listen-peer-urls", u.peer, "--listen-zk-addr", u.zk,
		"--initial-cluster", p.cluster, "--initial-cluster-token", "test",
	}, p.extra...)
	args = append(args, p.flags[i]...)
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
	cmd, done, paused := p.cmds[i], p.exited[i], p.paused[i]
	p.cmds[i], p.paused[i] = nil, false
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	if paused {
		cmd.Process.Signal(syscall.SIGCONT) // a stopped process acts on SIGTERM only once continued
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Pause sends SIGSTOP to member i: it keeps its sockets but does nothing,
// as a process stalled by the scheduler, a long GC pause or a VM freeze
// would. It does nothing if member i is not running.
func (p *Process) Pause(i int) { p.setPaused(i, true, syscall.SIGSTOP) }

// Resume sends SIGCONT to a paused member i.
func (p *Process) Resume(i int) { p.setPaused(i, false, syscall.SIGCONT) }

func (p *Process) setPaused(i int, paused bool, sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmds[i] == nil || p.paused[i] == paused {
		return
	}
	if err := p.cmds[i].Process.Signal(sig); err != nil {
		if !errors.Is(err, os.ErrProcessDone) {
			p.t.Errorf("cluster: signal %v to %s: %v", sig, p.urls[i].name, err)
		}
		return
	}
	p.paused[i] = paused
}

// Paused reports whether member i is paused.
func (p *Process) Paused(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused[i]
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

// ZKAddr returns member i's ZooKeeper client address (host:port).
func (p *Process) ZKAddr(i int) string { return p.urls[i].zk }

// ZKAddrs returns every member's ZooKeeper client address.
func (p *Process) ZKAddrs() []string {
	out := make([]string, len(p.urls))
	for i := range p.urls {
		out[i] = p.ZKAddr(i)
	}
	return out
}

// Size is the number of members.
func (p *Process) Size() int { return len(p.urls) }

// Name returns member i's --name.
func (p *Process) Name(i int) string { return p.urls[i].name }

// PeerAddr returns the host:port member i listens on for other members.
func (p *Process) PeerAddr(i int) string { return strings.TrimPrefix(p.urls[i].peer, "http://") }

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
