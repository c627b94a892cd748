package chaos

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	seedFlag      = flag.Uint64("chaos.seed", 0, "seed of the fault schedule and the workloads (default: from the clock)")
	durationFlag  = flag.Duration("chaos.duration", 0, "long mode: inject faults for this long (default: short mode, three runs of a minute)")
	artifactsFlag = flag.String("chaos.artifacts", "", "folder for the histories, visualizations, timelines and member logs of failed runs (default: concord-chaos-<seed> in the temp dir, kept)")
)

// Short mode: three runs of shortRun each, on 3, 5 and 3 members. Long
// mode: runs of up to longRun each, alternating 3 and 5 members, checked
// every minute.
const (
	shortRun = time.Minute
	longRun  = 5 * time.Minute
)

// plans returns the runs of a mode; run k has seed seed+k.
func plans(seed uint64, long time.Duration) []plan {
	if long == 0 {
		var out []plan
		for k, n := range []int{3, 5, 3} {
			out = append(out, plan{seed: seed + uint64(k), members: n, length: shortRun, epoch: shortRun})
		}
		return out
	}
	var out []plan
	for k := 0; long > 0; k++ {
		l := min(longRun, long)
		out = append(out, plan{seed: seed + uint64(k), members: 3 + 2*(k%2), length: l, epoch: min(time.Minute, l)})
		long -= l
	}
	return out
}

// randomFaults is the nemesis's schedule drawn from the seed.
func randomFaults(ctx context.Context, n *nemesis) { n.run(ctx) }

// TestChaos runs workloads through every member of real clusters while the
// nemesis injects random faults, and fails on any violation or lost write.
// Replay a failure with the seed it prints.
func TestChaos(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	replay := fmt.Sprintf("-chaos.seed=%d", seed)
	if *durationFlag > 0 {
		replay += " -chaos.duration=" + durationFlag.String()
	}
	root := *artifactsFlag
	if root == "" {
		root = filepath.Join(os.TempDir(), fmt.Sprintf("concord-chaos-%d", seed))
	}
	t.Logf("seed %d (replay with %s); failed runs leave their artifacts under %s", seed, replay, root)
	start := time.Now()
	var reps []runReport
	for k, p := range plans(seed, *durationFlag) {
		t.Run(fmt.Sprintf("seed=%d/members=%d", p.seed, p.members), func(t *testing.T) {
			r := execute(t, p, randomFaults, filepath.Join(root, fmt.Sprintf("run%d", k)))
			reps = append(reps, r)
			if bad := r.violations(); len(bad) > 0 || r.lost() > 0 {
				t.Errorf("%d violations, %d acknowledged writes lost; artifacts in %s; replay with %s:\n%s",
					len(bad), r.lost(), r.artifacts, replay, strings.Join(bad, "\n"))
			}
		})
	}
	t.Log("\n" + summary(seed, replay, reps, time.Since(start)))
	if t.Failed() {
		t.Errorf("replay with %s", replay)
	}
}
