package check

import (
	"context"
	"path/filepath"
	"time"

	"github.com/anishathalye/porcupine"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// register adapts RegisterWorkload and its History to Workload.
type register struct {
	w RegisterWorkload
	h *History
}

var _ Workload = (*register)(nil)

// NewRegister returns the register workload (put, get and CAS on a few
// keys under prefix) checked for linearizability by porcupine.
func NewRegister(prefix string, seed uint64) Workload {
	return &register{w: RegisterWorkload{Prefix: prefix, Seed: seed}, h: NewHistory()}
}

func (r *register) Name() string { return "register" }

func (r *register) Run(ctx context.Context, clients []*clientv3.Client) {
	w := r.w
	w.Clients = clients
	w.Run(ctx, r.h)
}

// Check runs porcupine for as long as ctx allows (without a deadline, until
// it decides). An undecided search is reported as a violation: it is not a
// pass.
func (r *register) Check(ctx context.Context, _ *clientv3.Client, dir string) (Verdict, error) {
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
		v.Violations = append(v.Violations, "history is not linearizable")
		v.Artifacts = append(v.Artifacts, res.Visualization)
	case porcupine.Unknown:
		v.Violations = append(v.Violations, "linearizability undecided: porcupine ran out of time")
	}
	return v, nil
}
