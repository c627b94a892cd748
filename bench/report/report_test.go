package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/bench/load"
	"github.com/concordkv/concord/bench/runner"
)

// fixture is a small result: put-64 on three systems over three
// repetitions, and a lease workload Concord and ZooKeeper lack.
func fixture() *runner.Results {
	res := &runner.Results{
		Started: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Finished: time.Date(2026, 1, 2, 3, 9, 0, 0, time.UTC),
		Mode: "quick", Reps: 3, Warmup: time.Second, Duration: 2 * time.Second,
		Versions:    map[string]string{"etcd": "3.4.23"},
		FsyncMedian: time.Millisecond, FsyncP99: 2 * time.Millisecond, LoopbackRTT: 20 * time.Microsecond,
		Systems: []string{"Concord", "etcd", "ZooKeeper"},
		Workloads: []runner.WorkloadInfo{
			{Name: "put-64", Title: "put, 64 clients", Note: "setData on ZooKeeper"},
			{Name: "lease-churn", Title: "lease churn", Note: "etcd only"},
		},
	}
	res.Machine.CPUs = 2
	ops := map[string][]float64{"Concord": {2000, 1900, 2100}, "etcd": {1000, 900, 1100}, "ZooKeeper": {500, 400, 600}}
	cpu := map[string]float64{"Concord": 0.25, "etcd": 0.5, "ZooKeeper": 1}
	for rep := 1; rep <= 3; rep++ {
		for _, sys := range res.Systems {
			v := ops[sys][rep-1]
			res.Runs = append(res.Runs, runner.Run{
				Rep: rep, Workload: "put-64", System: sys, Status: runner.StatusOK, Ops: int64(v * 2), OpsPerSec: v,
				P50: time.Duration(1e9 / v), P99: time.Duration(4e9 / v), P999: time.Duration(8e9 / v),
				CPUPer1000: cpu[sys], PeakRSS: []int64{10 << 20, 30 << 20, 20 << 20}, PeakRSSReset: true,
				CDF: []load.CDFPoint{{Latency: time.Millisecond, Fraction: 0.5}, {Latency: 4 * time.Millisecond, Fraction: 1}},
			})
		}
		res.Runs = append(res.Runs,
			runner.Run{Rep: rep, Workload: "lease-churn", System: "Concord", Status: runner.StatusNA, Reason: "load: not supported: Lease.LeaseGrant answers Unimplemented"},
			runner.Run{Rep: rep, Workload: "lease-churn", System: "etcd", Status: runner.StatusOK, Ops: 10, OpsPerSec: 5, P50: time.Millisecond, CDF: []load.CDFPoint{{Latency: time.Millisecond, Fraction: 1}}},
			runner.Run{Rep: rep, Workload: "lease-churn", System: "ZooKeeper", Status: runner.StatusNA, Reason: "load: not supported: etcd v3 only"},
		)
	}
	res.Runs[0].Status, res.Runs[0].Reason = runner.StatusError, "boom" // one failed Concord run
	return res
}

func TestSummarizeMedians(t *testing.T) {
	s := Summarize(fixture())
	c := s.Cell("put-64", "Concord")
	// Rep 1 failed: the median is over 1900 and 2100.
	if c.Status != runner.StatusOK || c.OK != 2 || c.Runs != 3 || c.OpsPerSec != 2000 {
		t.Fatalf("Concord put-64 = %+v", c)
	}
	if e := s.Cell("put-64", "etcd"); e.OpsPerSec != 1000 || e.RSS != 30<<20 || e.Median.OpsPerSec != 1000 {
		t.Fatalf("etcd put-64 = %+v", e)
	}
	if na := s.Cell("lease-churn", "Concord"); na.Status != runner.StatusNA || !strings.Contains(na.Reason, "Unimplemented") {
		t.Fatalf("Concord lease = %+v", na)
	}
	if m := s.Cell("nope", "etcd"); m.Status != "missing" {
		t.Fatalf("missing cell = %+v", m)
	}
}

func TestMarkdown(t *testing.T) {
	res := fixture()
	md := Markdown(res, Summarize(res), "plots")
	for _, want := range []string{
		"| workload | figure | Concord | etcd | ZooKeeper | Concord÷etcd | Concord÷ZK |",
		"| put, 64 clients | ops/s | 2 000 (2 of 3 runs) | 1 000 | 500 | 2.00× | 4.00× |",
		"| lease churn | ops/s | n/a (1) | 5 | n/a (2) | – | – |",
		"1. load: not supported: Lease.LeaseGrant answers Unimplemented",
		"| put, 64 clients: ≥ 2× etcd's ops/s | 2.00× | yes |",
		"| server CPU per 1 000 puts (64 clients): ≤ 0.5× etcd's | 0.50× | yes |",
		"fsync (4 KiB write + fdatasync",
		"![throughput](plots/throughput.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(md)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	res := fixture()
	files, err := Write(res, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{files.Markdown, files.JSON, filepath.Join(files.PlotDir, "throughput.png"), filepath.Join(files.PlotDir, "cdf-put-64.png"), filepath.Join(files.PlotDir, "cdf-lease-churn.png")} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(files.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var back runner.Results
	if err := json.Unmarshal(b, &back); err != nil || len(back.Runs) != len(res.Runs) {
		t.Fatalf("JSON round trip: %v, %d runs", err, len(back.Runs))
	}
	record := filepath.Join(dir, "sub", "RESULTS.md")
	os.MkdirAll(filepath.Dir(record), 0o755)
	if err := Record(res, files, record); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(record); !strings.Contains(string(b), "](../plots/throughput.png)") {
		t.Errorf("recorded document links plots wrongly:\n%s", b)
	}
}

func TestFmtCount(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1 000", 1234567.4: "1 234 567"} {
		if got := fmtCount(v); got != want {
			t.Errorf("fmtCount(%v) = %q, want %q", v, got, want)
		}
	}
}
