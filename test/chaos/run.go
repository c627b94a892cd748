package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/check"
)

// plan is one run: a fresh cluster, then workloads under faults for length,
// checked every epoch (a fresh set of histories each epoch keeps each one
// small enough for the linearizability checker).
type plan struct {
	seed    uint64
	members int
	length  time.Duration
	epoch   time.Duration
	binary  string // the concord binary; empty for the checkout's own build
	// workloads returns the workloads of one epoch; nil means
	// check.Workloads, the standard set.
	workloads func(prefix string, seed uint64) []check.Workload
}

// checkTimeout bounds each workload's checker. An undecided check is a
// failure, not a pass.
const checkTimeout = 3 * time.Minute

// runReport is what one run found.
type runReport struct {
	plan
	elapsed    time.Duration
	verdicts   []check.Verdict
	faults     map[string]int
	recoveries []time.Duration
	problems   []string // failures found by the harness rather than a checker
	probes     int      // the harness's own acknowledged writes
	lostProbes int
	artifacts  string // where this run's artifacts are; empty when none were written
}

// violations lists the checkers' violations and the harness's problems.
func (r runReport) violations() []string {
	var out []string
	for _, v := range r.verdicts {
		for _, s := range v.Violations {
			out = append(out, v.Workload+": "+s)
		}
	}
	return append(out, r.problems...)
}

// lost is the number of acknowledged writes missing at the end.
func (r runReport) lost() int {
	n := r.lostProbes
	for _, v := range r.verdicts {
		n += v.Lost
	}
	return n
}

// execute runs p, with drive injecting faults during each epoch, and
// writes artifacts under dir if anything failed.
func execute(t *testing.T, p plan, drive func(context.Context, *nemesis), dir string) runReport {
	t.Helper()
	if p.workloads == nil {
		p.workloads = check.Workloads
	}
	started := time.Now()
	b := newTestbed(t, p.members, p.seed, p.binary)
	n := newNemesis(b)
	b.logf("run: seed %d, %d members, %v in epochs of %v", p.seed, p.members, p.length, p.epoch)
	r := runReport{plan: p}
	for k := 0; time.Duration(k)*p.epoch < p.length; k++ {
		d := min(p.epoch, p.length-time.Duration(k)*p.epoch)
		seed := p.seed + uint64(k)<<32
		ws := p.workloads(fmt.Sprintf("chaos/e%d/", k), seed)
		n.reseed(p.seed, k)
		r.verdicts = append(r.verdicts, b.epoch(k, ws, d, n, drive, filepath.Join(dir, fmt.Sprintf("epoch%d", k)))...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	r.probes, r.lostProbes, err = b.lostProbes(ctx)
	if err != nil {
		n.problem("%v", err)
	}
	r.faults, r.recoveries, r.problems = n.counts, n.recoveries, n.problems
	r.elapsed = time.Since(started)
	if len(r.violations()) > 0 || r.lost() > 0 {
		if err := b.saveArtifacts(dir); err != nil {
			t.Errorf("chaos: %v", err)
		}
		r.artifacts = dir
	}
	return r
}

// epoch runs ws, a fresh set of workloads, for d while drive injects faults,
// then heals the cluster, waits until every member holds the same state
// and has each workload's checker judge its history.
func (b *testbed) epoch(k int, ws []check.Workload, d time.Duration, n *nemesis, drive func(context.Context, *nemesis), dir string) []check.Verdict {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { w.Run(ctx, b.clients) })
	}
	drive(ctx, n)
	wg.Wait()
	cancel()

	b.heal()
	n.recover(fmt.Sprintf("healing everything at the end of epoch %d", k))
	cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
	rev, hash, err := b.procs.Converged(cctx, b.all)
	ccancel()
	if err != nil {
		n.problem("epoch %d: %v", k, err)
	} else {
		b.logf("epoch %d: every member at revision %d, hash %x", k, rev, hash)
	}
	var out []check.Verdict
	for _, w := range ws {
		cctx, ccancel := context.WithTimeout(context.Background(), checkTimeout)
		v, err := w.Check(cctx, b.all, dir)
		ccancel()
		if err != nil {
			v.Workload = w.Name()
			v.Violations = append(v.Violations, fmt.Sprintf("could not judge the history: %v", err))
		}
		b.logf("epoch %d: %s: %d operations (%d unknown), %d violations, %d lost", k, v.Workload, v.Operations, v.Unknown, len(v.Violations), v.Lost)
		out = append(out, v)
	}
	return out
}

// saveArtifacts writes the timeline and every member's log into dir, next
// to whatever the checkers wrote there.
func (b *testbed) saveArtifacts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create artifacts folder: %w", err)
	}
	files := map[string]string{"timeline.txt": b.timeline()}
	for i := range b.size() {
		files[b.procs.Name(i)+".log"] = b.procs.Log(i)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("write artifact: %w", err)
		}
	}
	return nil
}
