package report

import (
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/concordkv/concord/bench/runner"
)

// subject is the system the ratio columns are about.
const subject = "Concord"

// figure is one row of the table for a workload.
type figure struct {
	name  string
	value func(*Cell) float64
	text  func(float64) string
}

var figures = []figure{
	{"ops/s", func(c *Cell) float64 { return c.OpsPerSec }, fmtCount},
	{"p50", func(c *Cell) float64 { return float64(c.P50) }, fmtNanos},
	{"p99", func(c *Cell) float64 { return float64(c.P99) }, fmtNanos},
	{"p99.9", func(c *Cell) float64 { return float64(c.P999) }, fmtNanos},
	{"server CPU s / 1 000 ops", func(c *Cell) float64 { return c.CPUPer1000 }, fmtCPU},
	{"peak RSS / member", func(c *Cell) float64 { return float64(c.RSS) }, fmtBytes},
}

// Markdown renders the results as a Markdown document; plotDir is where
// the plots are, relative to the document.
func Markdown(res *runner.Results, s *Summary, plotDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Concord, etcd and ZooKeeper side by side\n\n")
	if res.Incomplete != "" {
		fmt.Fprintf(&b, "**Incomplete run** (%s): medians are over the repetitions that finished.\n\n", res.Incomplete)
	}
	header(&b, res)
	targets(&b, res, s)
	table(&b, res, s)
	generatorTable(&b, res, s)
	workloadNotes(&b, res)
	plots(&b, res, plotDir)
	return b.String()
}

func header(b *strings.Builder, res *runner.Results) {
	m := res.Machine
	wall := res.Finished.Sub(res.Started)
	fmt.Fprintf(b, "Run %s (UTC), %s mode, %v in all: %d repetitions of every workload on every system, each %v measured after %v of warm-up; every figure is the median over the repetitions; the systems' order rotates between repetitions and workloads.\n\n",
		res.Started.Format("2006-01-02 15:04"), res.Mode, wall.Round(time.Second), res.Reps, res.Duration, res.Warmup)
	fmt.Fprintf(b, "- **Machine:** %d CPUs (`nproc`), %s, %.1f GiB memory, Linux %s; data directories on %s.\n",
		m.CPUs, m.Model, float64(m.MemBytes)/(1<<30), m.Kernel, m.DataFS)
	if capacity := wall.Seconds() * float64(m.CPUs); capacity > 0 {
		share := res.OtherCPU.Seconds() / capacity
		note := "the machine was otherwise quiet"
		if share > 0.02 || res.LoadAvgBefore > 0.5 {
			note = "**other work shared the machine**: figures are noisier than on a quiet machine, ratios less so"
		}
		fmt.Fprintf(b, "- **Other load:** processes outside the benchmark used %.0f CPU-seconds during the run (%.0f%% of the machine); 1-minute load average %.2f at the start; %s.\n",
			res.OtherCPU.Seconds(), 100*share, res.LoadAvgBefore, note)
	}
	fmt.Fprintf(b, "- **Floors:** fsync (4 KiB write + fdatasync into a preallocated file, median of the probes) %s (p99 %s); loopback TCP round trip %s; a durable write acknowledged over loopback cannot beat %s.\n",
		fmtNanos(float64(res.FsyncMedian)), fmtNanos(float64(res.FsyncP99)), fmtNanos(float64(res.LoopbackRTT)),
		fmtNanos(float64(res.FsyncMedian+res.LoopbackRTT)))
	fmt.Fprintf(b, "- **Versions:**")
	keys := make([]string, 0, len(res.Versions))
	for k := range res.Versions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		sep := ";"
		if i == len(keys)-1 {
			sep = "."
		}
		fmt.Fprintf(b, " %s: %s%s", k, res.Versions[k], sep)
	}
	fmt.Fprintf(b, "\n\nEach system runs as three members on 127.0.0.1 with its own durability defaults (fsync on). Multi-client workloads spread their connections over the three members; single-client ones talk to the leader. Ratios are Concord's figure divided by the other system's: above 1 is better for ops/s, below 1 is better for latency, CPU and memory.\n\n")
}

func targets(b *strings.Builder, res *runner.Results, s *Summary) {
	fmt.Fprintf(b, "## Targets\n\n| target | measured | met |\n|---|---:|:---:|\n")
	ratio := func(w, other string, f func(*Cell) float64) (float64, bool) {
		c, o := s.Cell(w, subject), s.Cell(w, other)
		if c.Status != runner.StatusOK || o.Status != runner.StatusOK || f(o) == 0 {
			return 0, false
		}
		return f(c) / f(o), true
	}
	row := func(name string, v float64, ok bool, met bool, unit string) {
		if !ok {
			fmt.Fprintf(b, "| %s | n/a | – |\n", name)
			return
		}
		mark := "no"
		if met {
			mark = "yes"
		}
		fmt.Fprintf(b, "| %s | %.2f%s | %s |\n", name, v, unit, mark)
	}
	ops := func(c *Cell) float64 { return c.OpsPerSec }
	cpu := func(c *Cell) float64 { return c.CPUPer1000 }
	v, ok := ratio("put-64", "etcd", ops)
	row("put, 64 clients: ≥ 2× etcd's ops/s", v, ok, v >= 2, "×")
	v, ok = ratio("put-64", "ZooKeeper", ops)
	row("put, 64 clients: ≥ 2× ZooKeeper's ops/s", v, ok, v >= 2, "×")
	v, ok = ratio("get-linearizable", "etcd", ops)
	row("linearizable get: ≥ 2× etcd's ops/s", v, ok, v >= 2, "×")
	v, ok = ratio("put-64", "etcd", cpu)
	row("server CPU per 1 000 puts (64 clients): ≤ 0.5× etcd's", v, ok, v <= 0.5, "×")
	floor := res.FsyncMedian + res.LoopbackRTT
	for _, sys := range res.Systems {
		c := s.Cell("put-1", sys)
		ok := c.Status == runner.StatusOK && floor > 0
		v := 0.0
		if ok {
			v = float64(c.P50) / float64(floor)
		}
		name := fmt.Sprintf("single-client put p50 ÷ (fsync floor + loopback RTT), %s", sys)
		if sys == subject {
			row(name+": ≤ 1.3", v, ok, v <= 1.3, "")
		} else {
			fmt.Fprintf(b, "| %s (for comparison) | %.2f | – |\n", name, v)
		}
	}
	b.WriteString("\n")
}

func table(b *strings.Builder, res *runner.Results, s *Summary) {
	others := othersOf(res.Systems)
	fmt.Fprintf(b, "## Results\n\n| workload | figure |")
	for _, sys := range res.Systems {
		fmt.Fprintf(b, " %s |", sys)
	}
	for _, o := range others {
		fmt.Fprintf(b, " %s÷%s |", subject, short(o))
	}
	b.WriteString("\n|---|---|")
	b.WriteString(strings.Repeat("---:|", len(res.Systems)+len(others)))
	b.WriteString("\n")
	var notes []string
	for _, w := range res.Workloads {
		for fi, f := range figures {
			label := ""
			if fi == 0 {
				label = w.Title
			}
			name := f.name
			if strings.HasPrefix(w.Name, "watch-") && fi <= 4 {
				name = strings.Replace(name, "ops", "deliveries", 1)
				if fi >= 1 && fi <= 3 {
					name += " (delivery)"
				}
			}
			fmt.Fprintf(b, "| %s | %s |", label, name)
			for _, sys := range res.Systems {
				fmt.Fprintf(b, " %s |", cellText(s.Cell(w.Name, sys), f, fi == 0, &notes))
			}
			for _, o := range others {
				fmt.Fprintf(b, " %s |", ratioText(s.Cell(w.Name, subject), s.Cell(w.Name, o), f))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
	for i, n := range notes {
		fmt.Fprintf(b, "%d. %s\n", i+1, n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	for _, w := range res.Workloads {
		for _, sys := range res.Systems {
			if c := s.Cell(w.Name, sys); c.Errors > 0 {
				fmt.Fprintf(b, "- %s on %s: %d failed operations over all repetitions (not counted in ops/s).\n", w.Name, sys, c.Errors)
			}
		}
	}
	if anyRSSSinceStart(res, s) {
		b.WriteString("- Peak RSS could not be reset per run (needs root); those figures are the peak since the member started.\n")
	}
	b.WriteString("\n")
}

// cellText formats one figure of a cell; a cell that did not run gets its
// status once (on the first figure) with a numbered note.
func cellText(c *Cell, f figure, first bool, notes *[]string) string {
	if c.Status != runner.StatusOK {
		if !first {
			return ""
		}
		reason := firstLine(c.Reason)
		i := slices.Index(*notes, reason)
		if i < 0 {
			*notes = append(*notes, reason)
			i = len(*notes) - 1
		}
		return fmt.Sprintf("%s (%d)", c.Status, i+1)
	}
	t := f.text(f.value(c))
	if first && c.OK < c.Runs {
		t += fmt.Sprintf(" (%d of %d runs)", c.OK, c.Runs)
	}
	return t
}

func ratioText(c, o *Cell, f figure) string {
	if c.Status != runner.StatusOK || o.Status != runner.StatusOK {
		return "–"
	}
	a, b := f.value(c), f.value(o)
	if b == 0 || math.IsNaN(a/b) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func generatorTable(b *strings.Builder, res *runner.Results, s *Summary) {
	fmt.Fprintf(b, "### The load generator's own CPU\n\nThe generator shares the machine's %d CPUs with the servers; its CPU seconds per 1 000 operations (median) show how much of the machine the client side took.\n\n| workload |", res.Machine.CPUs)
	for _, sys := range res.Systems {
		fmt.Fprintf(b, " %s |", sys)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(res.Systems)) + "\n")
	for _, w := range res.Workloads {
		fmt.Fprintf(b, "| %s |", w.Name)
		for _, sys := range res.Systems {
			c := s.Cell(w.Name, sys)
			if c.Status != runner.StatusOK {
				fmt.Fprintf(b, " %s |", c.Status)
				continue
			}
			fmt.Fprintf(b, " %s |", fmtCPU(c.ClientPer1000))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func workloadNotes(b *strings.Builder, res *runner.Results) {
	b.WriteString("## Workloads\n\n")
	for _, w := range res.Workloads {
		fmt.Fprintf(b, "- **%s** (`%s`): %s.\n", w.Title, w.Name, w.Note)
	}
	b.WriteString("\n")
}

func plots(b *strings.Builder, res *runner.Results, plotDir string) {
	fmt.Fprintf(b, "## Plots\n\n![throughput](%s)\n\n", path.Join(plotDir, "throughput.png"))
	for _, w := range res.Workloads {
		fmt.Fprintf(b, "- [latency CDF: %s](%s)\n", w.Title, path.Join(plotDir, "cdf-"+w.Name+".png"))
	}
	b.WriteString("\n")
}

func othersOf(systems []string) []string {
	var out []string
	for _, s := range systems {
		if s != subject {
			out = append(out, s)
		}
	}
	return out
}

func short(system string) string {
	if system == "ZooKeeper" {
		return "ZK"
	}
	return system
}

func anyRSSSinceStart(res *runner.Results, s *Summary) bool {
	for _, c := range s.cells {
		if c.Status == runner.StatusOK && c.RSSSinceStart {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// fmtCount writes a count with thin grouping: 12 345.
func fmtCount(v float64) string {
	n := int64(math.Round(v))
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func fmtNanos(v float64) string {
	switch d := time.Duration(v); {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", v/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", v/1e6)
	default:
		return fmt.Sprintf("%.0f µs", v/1e3)
	}
}

func fmtCPU(v float64) string { return fmt.Sprintf("%.3f", v) }

func fmtBytes(v float64) string { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }
