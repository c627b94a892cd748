package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// opTimeout bounds one operation of a workload: long enough for a leader
// election on a healthy machine, short enough that a partitioned client
// moves on.
const opTimeout = time.Second

// retryPause is how long a setup step waits before trying the next client.
const retryPause = 100 * time.Millisecond

// ErrCompacted means the revisions a checker needs were compacted away: the
// history cannot be judged, which is a failure to check, never a pass.
var ErrCompacted = errors.New("check: history compacted")

// ErrNotStarted means a workload's setup never succeeded, so it recorded
// nothing to judge.
var ErrNotStarted = errors.New("check: workload never started")

// clock reads nanoseconds since it was made, from the monotonic clock.
type clock struct{ start time.Time }

func newClock() clock { return clock{start: time.Now()} }

func (c clock) now() int64 { return int64(time.Since(c.start)) }

// opContext bounds one operation by opTimeout but not by the run's ctx: an
// operation sent before the run ends is waited for, so a healthy cluster
// leaves no outcome unknown.
func opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
}

// retry calls f with each client in turn, each call bounded by opTimeout,
// until one succeeds or ctx is done.
func retry(ctx context.Context, clients []*clientv3.Client, f func(context.Context, *clientv3.Client) error) error {
	var last error
	for i := 0; ; i++ {
		octx, cancel := context.WithTimeout(ctx, opTimeout)
		last = f(octx, clients[i%len(clients)])
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-time.After(retryPause):
		}
	}
}

// reset deletes every key under prefix, so a workload starts from an empty
// range whatever an earlier run left, and returns the first revision after
// the delete: the workload's history starts there.
func reset(ctx context.Context, clients []*clientv3.Client, prefix string) (int64, error) {
	var start int64
	err := retry(ctx, clients, func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Delete(ctx, prefix, clientv3.WithPrefix())
		if err == nil {
			start = resp.Header.Revision + 1
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%w: delete %s: %v", ErrNotStarted, prefix, err)
	}
	return start, nil
}

// history returns the changes under prefix from revision from until now,
// and the revision it stopped at. It writes the key prefix+"end" first:
// every change committed before Check began has a lower revision, so a
// watch from the start revision is complete once it reaches the marker.
func history(ctx context.Context, cli *clientv3.Client, prefix string, from int64) ([]event, int64, error) {
	resp, err := cli.Put(ctx, prefix+"end", "")
	if err != nil {
		return nil, 0, fmt.Errorf("check: write end marker under %s: %w", prefix, err)
	}
	until := resp.Header.Revision
	evs, err := events(ctx, cli, prefix, from, until)
	return evs, until, err
}

// events returns every change under prefix with a revision in [from, until),
// in revision order, read through a watch. A compacted start is reported
// with ErrCompacted.
func events(ctx context.Context, cli *clientv3.Client, prefix string, from, until int64) ([]event, error) {
	var out []event
	if from >= until {
		return out, nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for resp := range cli.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(from)) {
		if resp.CompactRevision != 0 {
			return nil, fmt.Errorf("%w: %s from revision %d, compacted at %d", ErrCompacted, prefix, from, resp.CompactRevision)
		}
		if err := resp.Err(); err != nil {
			return nil, fmt.Errorf("check: watch %s from revision %d: %w", prefix, from, err)
		}
		for _, ev := range resp.Events {
			if ev.Kv.ModRevision >= until {
				return out, nil
			}
			out = append(out, eventOf(ev))
		}
	}
	return nil, fmt.Errorf("check: watch %s from revision %d ended early: %v", prefix, from, ctx.Err())
}

// event is one change as a watcher or the store's history reports it.
type event struct {
	Rev    int64  `json:"rev"`
	Key    string `json:"key"`
	Delete bool   `json:"delete,omitempty"`
	Value  string `json:"value,omitempty"`
	// Create is the key's create revision (0 for a delete).
	Create int64 `json:"create,omitempty"`
}

func eventOf(ev *clientv3.Event) event {
	return event{
		Rev:    ev.Kv.ModRevision,
		Key:    string(ev.Kv.Key),
		Delete: ev.Type == clientv3.EventTypeDelete,
		Value:  string(ev.Kv.Value),
		Create: ev.Kv.CreateRevision,
	}
}

func (e event) String() string {
	if e.Delete {
		return fmt.Sprintf("delete %s @%d", e.Key, e.Rev)
	}
	return fmt.Sprintf("put %s=%q @%d", e.Key, e.Value, e.Rev)
}

// writeArtifact writes v as indented JSON to dir/name and returns the path.
func writeArtifact(dir, name string, v any) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("check: create %s: %w", dir, err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("check: encode %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", fmt.Errorf("check: write %s: %w", path, err)
	}
	return path, nil
}

// report collects violation lines, one per violation.
type report struct{ lines []string }

func (r *report) add(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *report) violations() []string { return r.lines }

// withArtifact finishes a verdict: when it has violations, log is written
// to dir/<workload>/history.json and listed among the artifacts.
func withArtifact(v Verdict, dir string, log any) (Verdict, error) {
	if len(v.Violations) == 0 {
		return v, nil
	}
	path, err := writeArtifact(filepath.Join(dir, v.Workload), "history.json", log)
	if err != nil {
		return v, err
	}
	v.Artifacts = append(v.Artifacts, path)
	return v, nil
}

// outcomeOf classifies a write by its error: acknowledged without one,
// failed when the error proves nothing was applied, unknown otherwise.
func outcomeOf(err error) outcome {
	switch {
	case err == nil:
		return acked
	case definitelyFailed(err):
		return failed
	default:
		return unknown
	}
}

// txnOutcome classifies a transaction: one whose comparison failed wrote
// nothing.
func txnOutcome(resp *clientv3.TxnResponse, err error) outcome {
	if err == nil && !resp.Succeeded {
		return failed
	}
	return outcomeOf(err)
}

// countUnknown counts the records whose outcome is unknown.
func countUnknown[T any](records []T, outcomeOf func(T) outcome) int {
	n := 0
	for _, r := range records {
		if outcomeOf(r) == unknown {
			n++
		}
	}
	return n
}
