package report

import (
	"slices"
	"time"

	"github.com/concordkv/concord/bench/runner"
)

// Cell is one workload on one system, summarised over the repetitions:
// each figure is the median of that figure over the runs that succeeded.
type Cell struct {
	Status string // runner.StatusOK, StatusNA or StatusError
	Reason string // why n/a or error (the first such run's reason)
	OK     int    // runs that succeeded
	Runs   int    // runs in all

	OpsPerSec      float64
	P50, P99, P999 time.Duration
	CPUPer1000     float64 // server CPU seconds per 1 000 operations
	ClientPer1000  float64 // load generator CPU seconds per 1 000 operations
	RSS            int64   // largest member's peak RSS
	RSSSinceStart  bool    // peak RSS could not be reset per run
	Errors         int64   // failed operations over all runs
	Median         *runner.Run
}

type cellKey struct{ workload, system string }

// Summary holds the cells of a result, by workload and system.
type Summary struct {
	res   *runner.Results
	cells map[cellKey]*Cell
}

// Summarize computes the medians.
func Summarize(res *runner.Results) *Summary {
	s := &Summary{res: res, cells: map[cellKey]*Cell{}}
	byKey := map[cellKey][]*runner.Run{}
	for i := range res.Runs {
		r := &res.Runs[i]
		k := cellKey{r.Workload, r.System}
		byKey[k] = append(byKey[k], r)
	}
	for k, runs := range byKey {
		s.cells[k] = summarize(runs)
	}
	return s
}

// Cell returns the cell of workload on system; a cell with no runs has
// status "missing".
func (s *Summary) Cell(workload, system string) *Cell {
	if c, ok := s.cells[cellKey{workload, system}]; ok {
		return c
	}
	return &Cell{Status: "missing", Reason: "not run (interrupted)"}
}

func summarize(runs []*runner.Run) *Cell {
	c := &Cell{Runs: len(runs)}
	var ok []*runner.Run
	for _, r := range runs {
		c.Errors += r.Errors
		switch r.Status {
		case runner.StatusOK:
			ok = append(ok, r)
		default:
			if c.Reason == "" {
				c.Status, c.Reason = r.Status, r.Reason
			}
		}
	}
	c.OK = len(ok)
	if len(ok) == 0 {
		return c
	}
	c.Status = runner.StatusOK
	c.OpsPerSec = median(ok, func(r *runner.Run) float64 { return r.OpsPerSec })
	c.P50 = time.Duration(median(ok, func(r *runner.Run) float64 { return float64(r.P50) }))
	c.P99 = time.Duration(median(ok, func(r *runner.Run) float64 { return float64(r.P99) }))
	c.P999 = time.Duration(median(ok, func(r *runner.Run) float64 { return float64(r.P999) }))
	c.CPUPer1000 = median(ok, func(r *runner.Run) float64 { return r.CPUPer1000 })
	c.ClientPer1000 = median(ok, func(r *runner.Run) float64 {
		return r.ClientCPU.Seconds() / max(float64(r.Ops)/1000, 1e-9)
	})
	c.RSS = int64(median(ok, func(r *runner.Run) float64 { return float64(r.MaxRSS()) }))
	for _, r := range ok {
		c.RSSSinceStart = c.RSSSinceStart || !r.PeakRSSReset
	}
	// The run whose throughput is the median stands for the cell in plots.
	byOps := slices.Clone(ok)
	slices.SortFunc(byOps, func(a, b *runner.Run) int { return cmpFloat(a.OpsPerSec, b.OpsPerSec) })
	c.Median = byOps[(len(byOps)-1)/2]
	return c
}

// median of f over runs; with an even count, the mean of the middle two.
func median(runs []*runner.Run, f func(*runner.Run) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
