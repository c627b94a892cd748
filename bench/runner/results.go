package runner

import (
	"time"

	"github.com/concordkv/concord/bench/load"
	"github.com/concordkv/concord/bench/probe"
)

// Status of one run.
const (
	StatusOK    = "ok"
	StatusNA    = "n/a"   // the system does not support the workload
	StatusError = "error" // it should have worked and did not
)

// Results is everything one benchmark invocation measured; it is what the
// JSON file holds.
type Results struct {
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Mode     string        `json:"mode"`
	Reps     int           `json:"repetitions"`
	Warmup   time.Duration `json:"warmup_ns"`
	Duration time.Duration `json:"duration_ns"`

	// Incomplete says why the run stopped early; empty when it completed.
	Incomplete string `json:"incomplete,omitempty"`

	Machine  probe.Machine     `json:"machine"`
	Versions map[string]string `json:"versions"`
	// LoadAvgBefore is the 1-minute load average when the run began.
	LoadAvgBefore float64 `json:"loadavg_before"`
	// OtherCPU is CPU time the machine spent during the run on processes
	// other than the load generator and the members it started: other work
	// sharing the machine.
	OtherCPU time.Duration `json:"other_cpu_ns"`

	FsyncMedian time.Duration `json:"fsync_median_ns"`
	FsyncP99    time.Duration `json:"fsync_p99_ns"`
	LoopbackRTT time.Duration `json:"loopback_rtt_ns"`

	Systems   []string       `json:"systems"`
	Workloads []WorkloadInfo `json:"workloads"`
	Runs      []Run          `json:"runs"`
}

// WorkloadInfo describes a workload for the report.
type WorkloadInfo struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Note  string `json:"note"`
}

// Run is one workload on one system in one repetition.
type Run struct {
	Rep      int    `json:"rep"`
	Workload string `json:"workload"`
	System   string `json:"system"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"` // why n/a or error

	Ops        int64         `json:"ops"`
	Errors     int64         `json:"errors"`
	FirstError string        `json:"first_error,omitempty"`
	Window     time.Duration `json:"window_ns"`
	OpsPerSec  float64       `json:"ops_per_sec"`
	Samples    int           `json:"latency_samples"`
	P50        time.Duration `json:"p50_ns"`
	P90        time.Duration `json:"p90_ns"`
	P99        time.Duration `json:"p99_ns"`
	P999       time.Duration `json:"p999_ns"`
	Max        time.Duration `json:"max_ns"`

	// ServerCPU is the members' utime+stime over the window, summed.
	ServerCPU time.Duration `json:"server_cpu_ns"`
	// CPUPer1000 is ServerCPU in seconds per 1 000 operations.
	CPUPer1000 float64 `json:"server_cpu_s_per_1000_ops"`
	// ClientCPU is the load generator's own CPU time over the run (it
	// shares the machine's cores with the servers).
	ClientCPU time.Duration `json:"client_cpu_ns"`
	// PeakRSS is each member's VmHWM at the end of the window, in bytes;
	// since the window opened when PeakRSSReset, else since the member
	// started.
	PeakRSS      []int64 `json:"peak_rss_bytes"`
	PeakRSSReset bool    `json:"peak_rss_reset"`

	Extra map[string]float64 `json:"extra,omitempty"`
	CDF   []load.CDFPoint    `json:"cdf,omitempty"`
}

// MaxRSS is the largest member's peak RSS.
func (r *Run) MaxRSS() int64 {
	var m int64
	for _, v := range r.PeakRSS {
		m = max(m, v)
	}
	return m
}
