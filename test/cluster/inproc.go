package cluster

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/raft/v3"
	"go.uber.org/zap"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/membership"
	"github.com/concordkv/concord/internal/server"
	"github.com/concordkv/concord/internal/transport"
	"github.com/concordkv/concord/internal/wal"
)

const token = "test"

// InProcOptions tune an in-process cluster.
type InProcOptions struct {
	// SnapshotCount and SnapshotCatchUpEntries override the defaults when
	// non-zero.
	SnapshotCount, SnapshotCatchUpEntries uint64
	// WAL, when set, gives member i's WAL options (fsync fault injection).
	WAL func(i int) wal.Options
}

// InProc is a cluster of members running in the test process, talking over
// real TCP on loopback through a transport whose links Faults controls.
type InProc struct {
	t      testing.TB
	opts   InProcOptions
	urls   []memberURLs
	dirs   []string
	ids    []uint64
	Faults *transport.LinkFaults

	mu      sync.Mutex // protects servers
	servers []*server.Server
}

// StartInProc starts n members and waits for a leader.
func StartInProc(t testing.TB, n int, opts InProcOptions) *InProc {
	t.Helper()
	c := &InProc{t: t, opts: opts, urls: allocate(t, n), Faults: transport.NewLinkFaults(1), servers: make([]*server.Server, n)}
	for _, u := range c.urls {
		c.dirs = append(c.dirs, filepath.Join(t.TempDir(), u.name))
		c.ids = append(c.ids, membership.MemberID([]string{u.peer}, token))
	}
	t.Cleanup(c.StopAll)
	for i := range c.urls {
		c.Start(i)
	}
	c.WaitLeader(10 * time.Second)
	return c
}

func (c *InProc) config(i int) config.Config {
	cfg := config.Default()
	u := c.urls[i]
	cfg.Name, cfg.DataDir = u.name, c.dirs[i]
	cfg.ListenClientURLs, cfg.ListenPeerURLs = []string{u.client}, []string{u.peer}
	cfg.ZK.ListenAddr = u.zk
	cfg.InitialCluster = map[string][]string{}
	for _, o := range c.urls {
		cfg.InitialCluster[o.name] = []string{o.peer}
	}
	cfg.InitialClusterToken = token
	cfg.TickInterval, cfg.ElectionTicks = 20*time.Millisecond, 10
	cfg.RequestTimeout = 2 * time.Second
	if c.opts.SnapshotCount > 0 {
		cfg.SnapshotCount = c.opts.SnapshotCount
	}
	if c.opts.SnapshotCatchUpEntries > 0 {
		cfg.SnapshotCatchUpEntries = c.opts.SnapshotCatchUpEntries
	}
	return cfg
}

// Start starts member i (again) on its data directory.
func (c *InProc) Start(i int) {
	c.t.Helper()
	opts := server.Options{Logger: testLogger(c.t, c.urls[i].name), Faults: c.Faults}
	if c.opts.WAL != nil {
		opts.WAL = c.opts.WAL(i)
	}
	var s *server.Server
	var err error
	// the port may still be held by a just-stopped member for a moment
	for try := 0; try < 50; try++ {
		if s, err = server.New(c.config(i), opts); err == nil || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		c.t.Fatalf("cluster: start %s: %v", c.urls[i].name, err)
	}
	c.mu.Lock()
	c.servers[i] = s
	c.mu.Unlock()
}

// Stop stops member i (a clean stop; its data stays).
func (c *InProc) Stop(i int) {
	c.mu.Lock()
	s := c.servers[i]
	c.servers[i] = nil
	c.mu.Unlock()
	if s != nil {
		s.Stop()
	}
}

// StopAll stops every running member.
func (c *InProc) StopAll() {
	for i := range c.urls {
		c.Stop(i)
	}
}

// Server returns member i, nil if stopped.
func (c *InProc) Server(i int) *server.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.servers[i]
}

// ID returns member i's raft ID.
func (c *InProc) ID(i int) uint64 { return c.ids[i] }

// IDs returns the raft IDs of the given members.
func (c *InProc) IDs(members ...int) []uint64 {
	out := make([]uint64, len(members))
	for j, i := range members {
		out[j] = c.ids[i]
	}
	return out
}

// ZKAddr returns member i's ZooKeeper client address (host:port).
func (c *InProc) ZKAddr(i int) string { return c.urls[i].zk }

// Size is the number of members.
func (c *InProc) Size() int { return len(c.urls) }

// Endpoint returns member i's client address.
func (c *InProc) Endpoint(i int) string { return strings.TrimPrefix(c.urls[i].client, "http://") }

// Client returns a client of the given members (all when none), closed
// when the test ends.
func (c *InProc) Client(members ...int) *clientv3.Client {
	c.t.Helper()
	if len(members) == 0 {
		for i := range c.urls {
			members = append(members, i)
		}
	}
	var eps []string
	for _, i := range members {
		eps = append(eps, c.Endpoint(i))
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		c.t.Fatalf("cluster: client: %v", err)
	}
	c.t.Cleanup(func() { cli.Close() })
	return cli
}

// Leader returns the index of the member that believes it leads and that
// the given members (all running ones when none) follow, or -1.
func (c *InProc) Leader(among ...int) int {
	if len(among) == 0 {
		for i := range c.urls {
			if c.Server(i) != nil {
				among = append(among, i)
			}
		}
	}
	var lead uint64
	for _, i := range among {
		s := c.Server(i)
		if s == nil {
			return -1
		}
		st := s.Raft()
		if st.Lead == 0 || (lead != 0 && st.Lead != lead) {
			return -1
		}
		lead = st.Lead
	}
	for _, i := range among {
		if c.ids[i] == lead {
			if s := c.Server(i); s != nil && s.Raft().State == raft.StateLeader {
				return i
			}
		}
	}
	return -1
}

// WaitLeader waits until the given members (all running when none) agree on
// a leader among them and returns its index.
func (c *InProc) WaitLeader(timeout time.Duration, among ...int) int {
	c.t.Helper()
	var lead int
	ok := Eventually(timeout, func() bool {
		lead = c.Leader(among...)
		return lead >= 0
	})
	if !ok {
		c.t.Fatalf("cluster: no leader among %v within %v", among, timeout)
	}
	return lead
}

// Eventually polls cond every 10ms until it holds or timeout passes.
func Eventually(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// testLogger logs warnings and errors of one member to the test's output;
// with CONCORD_TEST_LOG=debug every level is logged.
func testLogger(t testing.TB, name string) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("CONCORD_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	var w io.Writer = testWriter{t}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})).With("member", name)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
