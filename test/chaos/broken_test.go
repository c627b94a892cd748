package chaos

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/check"
	"github.com/concordkv/concord/test/cluster"
)

// TestBrokenBuildIsCaught shows that the checkers cannot pass everything:
// one scripted scenario runs against the sound build, which must pass, and
// against a build whose linearizable reads skip the ReadIndex round
// (internal/server/reads_broken.go), which must be caught. The scenario
// isolates the leader while clients bound to every member keep reading and
// writing the register workload's keys: the majority elects a new leader
// and moves on, and the isolated member's local state goes stale.
func TestBrokenBuildIsCaught(t *testing.T) {
	tests := []struct {
		name     string
		tags     []string
		attempts int // runs allowed for the broken build to be caught
		caught   bool
	}{
		{"sound build passes", nil, 1, false},
		{"reads without ReadIndex are caught", []string{"concord_broken_reads"}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var binary string
			if len(tt.tags) > 0 {
				binary = cluster.BinaryWithTags(t, tt.tags...)
			}
			for attempt := 1; attempt <= tt.attempts; attempt++ {
				p := plan{seed: uint64(attempt), members: 3, length: 12 * time.Second, epoch: 12 * time.Second,
					binary: binary, workloads: registerOnly}
				dir := t.TempDir()
				r := execute(t, p, isolateLeaderOnce, dir)
				caught := registerViolated(r)
				t.Logf("attempt %d: %d violations, %d lost: %v", attempt, len(r.violations()), r.lost(), r.violations())
				switch {
				case caught && !tt.caught:
					t.Fatalf("the sound build was reported: %v; artifacts in %s", r.violations(), r.artifacts)
				case !tt.caught && (len(r.violations()) > 0 || r.lost() > 0):
					t.Fatalf("the sound build failed: %v, %d lost", r.violations(), r.lost())
				case caught:
					requireVisualization(t, r)
					return
				}
			}
			if tt.caught {
				t.Fatalf("the broken build was not caught in %d runs", tt.attempts)
			}
		})
	}
}

func registerOnly(prefix string, seed uint64) []check.Workload {
	return []check.Workload{check.NewRegister(prefix+"register/", seed)}
}

// isolateLeaderOnce lets the workload run for two seconds, then cuts the
// leader off from the others for three.
func isolateLeaderOnce(ctx context.Context, n *nemesis) {
	f := faultByName("isolate-leader")
	f.hold = [2]time.Duration{3 * time.Second, 3 * time.Second}
	if sleep(ctx, 2*time.Second) {
		n.once(ctx, f)
	}
	<-ctx.Done()
}

// registerViolated reports whether the register checker found the history
// not linearizable.
func registerViolated(r runReport) bool {
	for _, v := range r.verdicts {
		if v.Workload == "register" && len(v.Violations) > 0 {
			return true
		}
	}
	return false
}

// requireVisualization checks that the caught run left its porcupine
// visualization among the artifacts.
func requireVisualization(t *testing.T, r runReport) {
	t.Helper()
	for _, v := range r.verdicts {
		for _, a := range v.Artifacts {
			if st, err := os.Stat(a); err == nil && st.Size() > 0 {
				t.Logf("caught: %v; visualization %s (%d bytes)", v.Violations, a, st.Size())
				return
			}
		}
	}
	t.Fatalf("the violation left no visualization: %+v", r.verdicts)
}
