package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"text/tabwriter"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/concordkv/concord/internal/check"
)

// runCheck runs the workloads of internal/check against a live cluster,
// one client per endpoint, and judges their histories. It fails when any
// history has a violation or could not be judged.
func runCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	endpoints := fs.String("endpoints", envOr("CONCORD_ENDPOINTS", "127.0.0.1:2379"), "comma-separated client endpoints, one client each (env CONCORD_ENDPOINTS)")
	duration := fs.Duration("duration", 30*time.Second, "how long the workloads run")
	seed := fs.Uint64("seed", 0, "seed of the workloads' choices (0: from the clock); printed for replay")
	prefix := fs.String("prefix", "concord-check/", "keys the workloads use; everything under it is deleted first")
	artifacts := fs.String("artifacts", "", "where histories of failed checks go (default ./concord-check-SEED)")
	judge := fs.Duration("check-timeout", 2*time.Minute, "bound on reading the final state and judging the histories")
	if err := parse(fs, args, 0, "check --endpoints a,b,c [--duration 30s] [--seed N] [--prefix concord-check/] [--artifacts DIR]"); err != nil {
		return err
	}
	switch {
	case *prefix == "":
		return errors.New("--prefix must not be empty: the workloads delete everything under it")
	case *duration <= 0:
		return fmt.Errorf("--duration must be positive, got %v", *duration)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if *artifacts == "" {
		*artifacts = fmt.Sprintf("concord-check-%d", *seed)
	}
	fmt.Printf("seed %d (replay with --seed %d)\n", *seed, *seed)

	eps := splitList(*endpoints)
	clients, err := connectEach(eps)
	if err != nil {
		return err
	}
	defer closeAll(clients)
	if err := reachable(clients, eps); err != nil {
		return err
	}
	judgeCli, err := connect(eps)
	if err != nil {
		return err
	}
	defer judgeCli.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	workloads := check.Workloads(*prefix, *seed)
	runFor(ctx, *duration, workloads, clients)
	jctx, cancel := context.WithTimeout(context.Background(), *judge)
	defer cancel()
	return report(os.Stdout, judgeAll(jctx, workloads, judgeCli, *artifacts), *seed)
}

// connect opens a client on endpoints.
func connect(endpoints []string) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("connect to %v: %w", endpoints, err)
	}
	return cli, nil
}

// connectEach opens one client bound to each endpoint.
func connectEach(endpoints []string) ([]*clientv3.Client, error) {
	var clients []*clientv3.Client
	for _, ep := range endpoints {
		cli, err := connect([]string{ep})
		if err != nil {
			closeAll(clients)
			return nil, err
		}
		clients = append(clients, cli)
	}
	return clients, nil
}

// reachable asks every endpoint for its status, so that a mistyped
// endpoint is reported now rather than after the run. A member that is
// down is only warned about (the workloads ride it out); none reachable is
// an error.
func reachable(clients []*clientv3.Client, endpoints []string) error {
	var errs []error
	for i, cli := range clients {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := cli.Status(ctx, endpoints[i])
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("endpoint %s: %w", endpoints[i], err))
			fmt.Fprintf(os.Stderr, "concord check: warning: %v\n", errs[len(errs)-1])
		}
	}
	if len(errs) == len(clients) {
		return fmt.Errorf("no endpoint reachable: %w", errors.Join(errs...))
	}
	return nil
}

func closeAll(clients []*clientv3.Client) {
	for _, cli := range clients {
		cli.Close()
	}
}

// runFor runs every workload at once for d (or until ctx is done) and
// returns when all have stopped.
func runFor(ctx context.Context, d time.Duration, workloads []check.Workload, clients []*clientv3.Client) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for _, w := range workloads {
		wg.Go(func() { w.Run(ctx, clients) })
	}
	wg.Wait()
}

// judged is one workload's verdict, or why it could not be judged.
type judged struct {
	check.Verdict
	err error
}

func judgeAll(ctx context.Context, workloads []check.Workload, cli *clientv3.Client, dir string) []judged {
	out := make([]judged, 0, len(workloads))
	for _, w := range workloads {
		v, err := w.Check(ctx, cli, dir)
		v.Workload = w.Name()
		out = append(out, judged{v, err})
	}
	return out
}

// shownViolations is how many violation lines report prints per workload.
const shownViolations = 10

// report prints the summary table, then every violation, artifact and
// error; it returns an error when anything failed.
func report(out io.Writer, results []judged, seed uint64) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tOPERATIONS\tUNKNOWN\tVIOLATIONS\tLOST\tRESULT")
	violations, unjudged := 0, 0
	for _, r := range results {
		result := "ok"
		switch {
		case r.err != nil:
			result, unjudged = "not checked", unjudged+1
		case len(r.Violations) > 0:
			result = "FAILED"
		}
		violations += len(r.Violations)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", r.Workload, r.Operations, r.Unknown, len(r.Violations), r.Lost, result)
	}
	tw.Flush()
	for _, r := range results {
		for i, v := range r.Violations {
			if i == shownViolations {
				fmt.Fprintf(out, "%s: ... and %d more violations (the history is in the artifacts)\n", r.Workload, len(r.Violations)-i)
				break
			}
			fmt.Fprintf(out, "%s: violation: %s\n", r.Workload, v)
		}
		for _, a := range r.Artifacts {
			fmt.Fprintf(out, "%s: wrote %s\n", r.Workload, a)
		}
		if r.err != nil {
			fmt.Fprintf(out, "%s: not checked: %v\n", r.Workload, r.err)
		}
	}
	if violations > 0 || unjudged > 0 {
		return fmt.Errorf("%d violations, %d workloads not checked (seed %d)", violations, unjudged, seed)
	}
	return nil
}
