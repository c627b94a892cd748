package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/concordkv/concord/bench/load"
	"github.com/concordkv/concord/bench/probe"
	"github.com/concordkv/concord/bench/systems"
)

// Config is one benchmark invocation.
type Config struct {
	Mode      string // "quick" or "full", for the report
	Reps      int
	Warmup    time.Duration
	Duration  time.Duration
	ValueSize int
	Systems   []systems.System
	Workloads []*load.Workload
	// WorkDir holds the members' data directories and logs.
	WorkDir string
	// FsyncProbes and RTTProbes are the sample counts of the floors.
	FsyncProbes, RTTProbes int
	Progress               *Progress
}

// cdfPoints is how many CDF points each run keeps for plots and JSON.
const cdfPoints = 200

// Compare runs the comparison. It returns the results gathered so far
// along with an error when it was interrupted or could not start a system.
func Compare(ctx context.Context, cfg Config) (*Results, error) {
	res := &Results{
		Started: time.Now().UTC(), Mode: cfg.Mode, Reps: cfg.Reps, Warmup: cfg.Warmup, Duration: cfg.Duration,
		Machine: probe.Describe(cfg.WorkDir), Versions: versions(cfg.Systems),
		LoadAvgBefore: loadAvg(),
	}
	acct := &cpuAccount{}
	acct.begin()
	defer func() { res.OtherCPU = acct.other() }()
	for _, s := range cfg.Systems {
		res.Systems = append(res.Systems, s.Name())
	}
	for _, w := range cfg.Workloads {
		res.Workloads = append(res.Workloads, WorkloadInfo{Name: w.Name, Title: w.Title, Note: w.Note})
	}
	var err error
	cfg.Progress.Status("measuring the fsync floor and loopback round trip")
	if res.FsyncMedian, res.FsyncP99, err = probe.FsyncFloor(cfg.WorkDir, cfg.FsyncProbes); err != nil {
		return res, err
	}
	if res.LoopbackRTT, err = probe.LoopbackRTT(cfg.RTTProbes); err != nil {
		return res, err
	}
	cfg.Progress.Start(cfg.Reps * len(cfg.Workloads) * len(cfg.Systems))
	for rep := range cfg.Reps {
		runs, err := runRep(ctx, cfg, rep, acct)
		res.Runs = append(res.Runs, runs...)
		if err != nil {
			res.Finished = time.Now().UTC()
			res.Incomplete = fmt.Sprintf("stopped in repetition %d of %d: %v", rep+1, cfg.Reps, err)
			return res, err
		}
	}
	res.Finished = time.Now().UTC()
	return res, nil
}

// runRep starts every system, runs every workload on each and stops them.
func runRep(ctx context.Context, cfg Config, rep int, acct *cpuAccount) ([]Run, error) {
	clusters := make([]*systems.Cluster, len(cfg.Systems))
	defer func() {
		for _, c := range clusters {
			if c != nil {
				acct.members(c.PIDs())
				if err := c.Stop(); err != nil {
					cfg.Progress.Warn(err.Error())
				}
			}
		}
	}()
	for _, i := range rotation(len(cfg.Systems), rep) {
		s := cfg.Systems[i]
		cfg.Progress.Status(fmt.Sprintf("rep %d/%d: starting %s", rep+1, cfg.Reps, s.Name()))
		dir := filepath.Join(cfg.WorkDir, fmt.Sprintf("rep%d-%s", rep+1, s.Name()))
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		c, err := s.Start(sctx, dir)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", s.Name(), err)
		}
		clusters[i] = c
	}
	var runs []Run
	for wi, w := range cfg.Workloads {
		for _, i := range rotation(len(cfg.Systems), rep+wi) {
			if err := ctx.Err(); err != nil {
				return runs, err
			}
			cfg.Progress.Begin(rep, cfg.Reps, w.Name, cfg.Systems[i].Name())
			r := runOne(ctx, cfg, rep, w, clusters[i])
			if ctx.Err() != nil {
				return runs, ctx.Err() // interrupted mid-run: the run does not count
			}
			cfg.Progress.End(r)
			runs = append(runs, r)
		}
	}
	return runs, ctx.Err()
}

// rotation returns 0..n-1 rotated left by k.
func rotation(n, k int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = (i + k) % n
	}
	return out
}

// runOne runs one workload on one cluster and turns the outcome into a Run.
func runOne(ctx context.Context, cfg Config, rep int, w *load.Workload, c *systems.Cluster) Run {
	r := Run{Rep: rep + 1, Workload: w.Name, System: c.System}
	fail := func(err error) Run {
		r.Status, r.Reason = StatusError, err.Error()
		if errors.Is(err, load.ErrUnsupported) {
			r.Status = StatusNA
		}
		return r
	}
	if err := c.Check(); err != nil {
		return fail(err)
	}
	t := load.Target{System: c.System, EtcdEndpoints: c.EtcdEndpoints, ZKServers: c.ZKServers}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	leader, err := c.Leader(lctx)
	cancel()
	if err != nil {
		return fail(fmt.Errorf("find leader: %w", err))
	}
	t.Leader = leader
	m := newMeter(c.PIDs())
	opts := load.Options{Warmup: cfg.Warmup, Duration: cfg.Duration, ValueSize: cfg.ValueSize}
	self0 := selfCPU()
	lr, err := load.Run(ctx, w, t, opts, m)
	r.ClientCPU = selfCPU() - self0
	if err != nil {
		return fail(err)
	}
	if err := c.Check(); err != nil {
		return fail(fmt.Errorf("member died during the run: %w", err))
	}
	compact(ctx, c)
	r.Status = StatusOK
	r.Ops, r.Errors, r.FirstError, r.Window = lr.Ops, lr.Errors, lr.FirstError, lr.Window
	r.OpsPerSec = lr.OpsPerSec()
	r.Samples = lr.Latency.Len()
	r.P50, r.P90, r.P99 = lr.Latency.Quantile(0.5), lr.Latency.Quantile(0.9), lr.Latency.Quantile(0.99)
	r.P999, r.Max = lr.Latency.Quantile(0.999), lr.Latency.Quantile(1)
	r.CDF = lr.Latency.CDF(cdfPoints)
	r.Extra = lr.Extra
	r.ServerCPU = m.serverCPU()
	if r.Ops > 0 {
		r.CPUPer1000 = r.ServerCPU.Seconds() / (float64(r.Ops) / 1000)
	}
	r.PeakRSS, r.PeakRSSReset = m.rss, m.rssReset
	if m.err != nil {
		r.Reason = "reading /proc: " + m.err.Error()
	}
	if r.Ops == 0 {
		r.Status, r.Reason = StatusError, "no operation succeeded: "+r.FirstError
	}
	return r
}

// compact discards the history an etcd v3 system kept during the run, so
// every run starts from the same kind of state. Errors are ignored: a
// system that cannot compact just keeps its history.
func compact(ctx context.Context, c *systems.Cluster) {
	if len(c.EtcdEndpoints) == 0 {
		return
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.EtcdEndpoints, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, "bench-compact-probe")
	if err != nil {
		return
	}
	cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical())
}

// versions names the software under test and the client libraries.
func versions(ss []systems.System) map[string]string {
	v := map[string]string{"go (load generator)": runtime.Version()}
	for _, s := range ss {
		v[s.Name()] = s.Version()
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "go.etcd.io/etcd/client/v3", "github.com/go-zookeeper/zk":
				v[d.Path] = d.Version
			}
		}
	}
	return v
}

// loadAvg is the 1-minute load average, or 0 if unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l1 float64
	fmt.Sscan(string(b), &l1)
	return l1
}

// cpuAccount finds how much CPU other processes used during the run: the
// machine's busy time minus this process's and the members'.
type cpuAccount struct {
	busy0, self0 time.Duration
	ours         time.Duration // members' CPU, added as each cluster stops
}

func (a *cpuAccount) begin() {
	a.busy0, _ = probe.MachineBusy()
	a.self0 = selfCPU()
}

// members adds the members' CPU time so far; called just before they stop.
func (a *cpuAccount) members(pids []int) {
	for _, pid := range pids {
		if d, err := probe.CPUTime(pid); err == nil {
			a.ours += d
		}
	}
}

func (a *cpuAccount) other() time.Duration {
	busy, err := probe.MachineBusy()
	if err != nil {
		return 0
	}
	return max(busy-a.busy0-(selfCPU()-a.self0)-a.ours, 0)
}
