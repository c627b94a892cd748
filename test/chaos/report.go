package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// summary describes a set of runs: what was checked, what was injected,
// what failed and how fast the cluster recovered.
func summary(seed uint64, replay string, reps []runReport, elapsed time.Duration) string {
	var (
		histories = map[string]int{}
		faults    = map[string]int{}
		ops, unk  int
		recs      []time.Duration
		viol      []string
		lost      int
		probes    int
		runs      []string
	)
	for _, r := range reps {
		for _, v := range r.verdicts {
			histories[v.Workload]++
			ops += v.Operations
			unk += v.Unknown
		}
		for k, n := range r.faults {
			faults[k] += n
		}
		recs = append(recs, r.recoveries...)
		viol = append(viol, r.violations()...)
		lost += r.lost()
		probes += r.probes
		runs = append(runs, runLine(r))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "chaos summary\n")
	fmt.Fprintf(&b, "  seed         %d (replay with %s)\n", seed, replay)
	fmt.Fprintf(&b, "  duration     %v in %d runs\n", elapsed.Round(time.Second), len(reps))
	fmt.Fprintf(&b, "  histories    %d checked (%s)\n", total(histories), counts(histories))
	fmt.Fprintf(&b, "  operations   %d (%d with unknown outcome)\n", ops, unk)
	fmt.Fprintf(&b, "  faults       %d (%s)\n", total(faults), counts(faults))
	fmt.Fprintf(&b, "  violations   %d\n", len(viol))
	fmt.Fprintf(&b, "  lost writes  %d acknowledged writes missing (the checkers' and %d probe writes)\n", lost, probes)
	fmt.Fprintf(&b, "  recovery     %s\n", spread(recs))
	for _, l := range runs {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	for _, v := range viol {
		fmt.Fprintf(&b, "  VIOLATION %s\n", v)
	}
	return b.String()
}

func runLine(r runReport) string {
	ops := 0
	for _, v := range r.verdicts {
		ops += v.Operations
	}
	line := fmt.Sprintf("run seed %d: %d members, %v, %d histories, %d operations, %d faults, %d violations, %d lost",
		r.seed, r.members, r.elapsed.Round(time.Second), len(r.verdicts), ops, total(r.faults), len(r.violations()), r.lost())
	if r.artifacts != "" {
		line += ", artifacts in " + r.artifacts
	}
	return line
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// counts lists "name n" pairs in name order.
func counts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// spread describes recovery times by their minimum, median and maximum.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no heals"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	r := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("after %d heals: min %v, median %v, max %v", len(s), r(s[0]), r(s[len(s)/2]), r(s[len(s)-1]))
}
