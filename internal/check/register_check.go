package check

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// finalClient is the client ID of the reads Check adds to a register
// history.
const finalClient = 1 << 20

// register adapts RegisterWorkload and its History to Workload.
type register struct {
	w RegisterWorkload
	h *History

	mu       sync.Mutex // protects startErr
	startErr error
}

var _ Workload = (*register)(nil)

// NewRegister returns the register workload (put, get and CAS on a few
// keys under prefix) checked for linearizability by porcupine.
func NewRegister(prefix string, seed uint64) Workload {
	return &register{w: RegisterWorkload{Prefix: prefix, Seed: seed}, h: NewHistory()}
}

func (r *register) Name() string { return "register" }

// Run clears the prefix (the model starts with every key absent) and runs
// the workload.
func (r *register) Run(ctx context.Context, clients []*clientv3.Client) {
	_, err := reset(ctx, clients, r.w.Prefix)
	r.mu.Lock()
	r.startErr = err
	r.mu.Unlock()
	if err != nil {
		return
	}
	w := r.w
	w.Clients = clients
	w.Run(ctx, r.h)
}

// Check adds a final linearizable read of every key to the history (so a
// lost last write is caught too) and runs porcupine for as long as ctx
// allows (without a deadline, until it decides). An undecided search is
// reported as a violation: it is not a pass.
func (r *register) Check(ctx context.Context, cli *clientv3.Client, dir string) (Verdict, error) {
	r.mu.Lock()
	err := r.startErr
	r.mu.Unlock()
	if err != nil {
		return Verdict{Workload: r.Name()}, err
	}
	keys, _, prefix := r.w.defaults()
	for i := range keys {
		in := Input{Kind: OpGet, Key: fmt.Sprintf("%s%d", prefix, i)}
		call := r.h.Now()
		out, err := do(ctx, cli, in)
		if err != nil {
			return Verdict{Workload: r.Name()}, fmt.Errorf("check: read final value of %s: %w", in.Key, err)
		}
		r.h.Add(finalClient, in, call, out, r.h.Now())
	}
	var timeout time.Duration
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	res, err := r.h.Check(timeout, filepath.Join(dir, r.Name()))
	v := Verdict{Workload: r.Name(), Operations: res.Operations, Unknown: res.Unknown}
	if err != nil {
		return v, err
	}
	switch res.Verdict {
	case porcupine.Illegal:
		v.Violations = append(v.Violations, "history is not linearizable (see the visualization)")
		v.Artifacts = append(v.Artifacts, res.Visualization)
	case porcupine.Unknown:
		v.Violations = append(v.Violations, "linearizability undecided: porcupine ran out of time")
	}
	return withArtifact(v, dir, r.h.operations())
}
