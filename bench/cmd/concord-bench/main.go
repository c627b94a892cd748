// Command concord-bench runs Concord, etcd and ZooKeeper side by side on
// this machine and writes a Markdown table with ratio columns, a JSON file
// with every raw figure, and PNG plots.
//
//	go run ./bench/cmd/concord-bench -quick        # about 3 minutes
//	go run ./bench/cmd/concord-bench               # full: about 25 minutes
//
// It builds ./cmd/concord from the checkout it runs in, starts three-member
// clusters of each system on 127.0.0.1 (etcd and ZooKeeper from Debian's
// packages: scripts/install-deps.sh installs them), and stops every process
// it started when it finishes, fails or is interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/concordkv/concord/bench/load"
	"github.com/concordkv/concord/bench/report"
	"github.com/concordkv/concord/bench/runner"
	"github.com/concordkv/concord/bench/systems"
)

// mode is a set of run lengths.
type mode struct {
	name             string
	warmup, duration time.Duration
	fsyncProbes      int
}

var (
	quickMode = mode{name: "quick", warmup: 250 * time.Millisecond, duration: time.Second, fsyncProbes: 1000}
	fullMode  = mode{name: "full", warmup: 2 * time.Second, duration: 12 * time.Second, fsyncProbes: 1000}
)

type flags struct {
	quick              bool
	reps               int
	warmup, duration   time.Duration
	valueSize          int
	out, record        string
	systems, workloads string
	concordBin         string
	etcdBin, java      string
	zkJars             string
	workDir            string
	keep               bool
}

func main() {
	var f flags
	flag.BoolVar(&f.quick, "quick", false, "quick mode: 1 s runs (about 3 minutes in all) instead of 12 s runs (about 25 minutes)")
	flag.IntVar(&f.reps, "reps", 3, "repetitions of every workload on every system (at least 3 for a median)")
	flag.DurationVar(&f.warmup, "warmup", 0, "override the mode's warm-up per run")
	flag.DurationVar(&f.duration, "duration", 0, "override the mode's measured window per run")
	flag.IntVar(&f.valueSize, "value-size", 256, "bytes per value written")
	flag.StringVar(&f.out, "out", "", "directory for RESULTS.md, results.json and plots/ (default bench/out in the checkout)")
	flag.StringVar(&f.record, "record", "", "also write the Markdown document to this file (bench/RESULTS.md for a full run)")
	flag.StringVar(&f.systems, "systems", "concord,etcd,zookeeper", "systems to compare, comma-separated")
	flag.StringVar(&f.workloads, "workloads", "", "only these workloads, comma-separated (default all of the mode)")
	flag.StringVar(&f.concordBin, "concord", "", "use this concord binary instead of building ./cmd/concord")
	flag.StringVar(&f.etcdBin, "etcd", "etcd", "etcd binary")
	flag.StringVar(&f.java, "java", "java", "java binary for ZooKeeper")
	flag.StringVar(&f.zkJars, "zk-jars", "/usr/share/java", "directory with zookeeper.jar and its dependencies")
	flag.StringVar(&f.workDir, "workdir", "", "parent of the members' data directories (default $TMPDIR); its file system is the one measured")
	flag.BoolVar(&f.keep, "keep", false, "keep the members' data directories and logs")
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintf(os.Stderr, "concord-bench: %v\n", err)
		os.Exit(1)
	}
}

func run(f flags) error {
	m := fullMode
	if f.quick {
		m = quickMode
	}
	if f.warmup > 0 {
		m.warmup = f.warmup
	}
	if f.duration > 0 {
		m.duration = f.duration
	}
	if f.reps < 1 {
		return errors.New("-reps must be at least 1")
	}
	workloads, err := pickWorkloads(load.Workloads(!f.quick), f.workloads)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if f.out == "" {
		f.out = filepath.Join(root, "bench", "out")
	}
	work, err := os.MkdirTemp(f.workDir, "concord-bench-")
	if err != nil {
		return err
	}
	progress := runner.NewProgress(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { // a second interrupt kills at once; members die with us (PDEATHSIG)
		<-ctx.Done()
		stop()
	}()

	ss, err := pickSystems(ctx, f, root, work, progress)
	if err != nil {
		return err
	}
	res, runErr := runner.Compare(ctx, runner.Config{
		Mode: m.name, Reps: f.reps, Warmup: m.warmup, Duration: m.duration, ValueSize: f.valueSize,
		Systems: ss, Workloads: workloads, WorkDir: work,
		FsyncProbes: m.fsyncProbes, RTTProbes: 10000, Progress: progress,
	})
	progress.Finish()
	keep := f.keep || runErr != nil || hasErrors(res)
	if keep {
		fmt.Fprintf(os.Stderr, "members' data and logs kept in %s\n", work)
	} else {
		os.RemoveAll(work)
	}
	if res == nil || len(res.Runs) == 0 {
		return runErr
	}
	files, err := report.Write(res, f.out)
	if err != nil {
		return errors.Join(runErr, err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s, %s and %s/\n", files.Markdown, files.JSON, files.PlotDir)
	if f.record != "" {
		if runErr != nil {
			fmt.Fprintf(os.Stderr, "not writing %s: the run did not complete\n", f.record)
		} else if err := report.Record(res, files, f.record); err != nil {
			return err
		} else {
			fmt.Fprintf(os.Stderr, "wrote %s\n", f.record)
		}
	}
	return runErr
}

// pickSystems builds Concord and checks the others are installed.
func pickSystems(ctx context.Context, f flags, root, work string, progress *runner.Progress) ([]systems.System, error) {
	var out []systems.System
	for _, name := range strings.Split(f.systems, ",") {
		switch strings.TrimSpace(strings.ToLower(name)) {
		case "concord":
			c := &systems.Concord{Bin: f.concordBin, Revision: "prebuilt " + f.concordBin}
			if c.Bin == "" {
				progress.Status("building ./cmd/concord")
				c.Bin = filepath.Join(work, "concord")
				rev, err := systems.BuildConcord(ctx, root, c.Bin)
				if err != nil {
					return nil, err
				}
				c.Revision = rev
			}
			out = append(out, c)
		case "etcd":
			e := &systems.Etcd{Bin: f.etcdBin}
			if err := e.Installed(); err != nil {
				return nil, err
			}
			out = append(out, e)
		case "zookeeper", "zk":
			z := &systems.ZooKeeper{Java: f.java, JarDir: f.zkJars}
			if err := z.Installed(); err != nil {
				return nil, err
			}
			out = append(out, z)
		default:
			return nil, fmt.Errorf("-systems: unknown system %q (want concord, etcd, zookeeper)", name)
		}
	}
	return out, nil
}

func pickWorkloads(all []*load.Workload, only string) ([]*load.Workload, error) {
	if only == "" {
		return all, nil
	}
	var out []*load.Workload
	for _, name := range strings.Split(only, ",") {
		i := slices.IndexFunc(all, func(w *load.Workload) bool { return w.Name == strings.TrimSpace(name) })
		if i < 0 {
			var names []string
			for _, w := range all {
				names = append(names, w.Name)
			}
			return nil, fmt.Errorf("-workloads: unknown workload %q (this mode has %s)", name, strings.Join(names, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run inside the Concord checkout (go env GOMOD finds no module)")
	}
	return filepath.Dir(mod), nil
}

func hasErrors(res *runner.Results) bool {
	if res == nil {
		return false
	}
	for _, r := range res.Runs {
		if r.Status == runner.StatusError {
			return true
		}
	}
	return false
}
