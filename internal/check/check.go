package check

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Workload is one client workload together with its checker. The chaos
// harness (test/chaos) and `concord check` drive every workload the same
// way: Run once while the cluster is under test, then Check once after the
// cluster has healed. A Workload is used by one goroutine at a time.
type Workload interface {
	// Name is a short label used in reports ("register", "append", "lock", "watch").
	Name() string
	// Run issues operations through clients until ctx is done and records
	// them. Clients may be bound to single members. It returns only after
	// every goroutine it started has stopped. Errors from operations are
	// recorded (as failed or unknown outcomes), never returned.
	// Operations in flight when ctx ends are waited for (each bounded by
	// about a second), and the watch workload gives its watchers up to 5 s
	// to catch up, so Run may return a few seconds after ctx is done.
	Run(ctx context.Context, clients []*clientv3.Client)
	// Check judges what Run recorded. It is called once, after Run returned
	// and the cluster healed; cli reads the final state (linearizably). On a
	// violation it writes the history and any visualization under dir.
	// An error means the history could not be judged (the final state could
	// not be read, an artifact could not be written); it is never a pass.
	Check(ctx context.Context, cli *clientv3.Client, dir string) (Verdict, error)
}

// Verdict is one workload's result.
type Verdict struct {
	Workload   string
	Operations int      // operations recorded
	Unknown    int      // operations whose outcome was never learned
	Violations []string // one line per violation; empty means the history passed
	Lost       int      // acknowledged writes missing from the final state
	Artifacts  []string // files written under dir
}

// Workloads returns the standard set (register, append, lock, watch),
// each using keys under prefix+name+"/", seeded from seed. Each Run first
// deletes everything under its own prefix.
func Workloads(prefix string, seed uint64) []Workload {
	return []Workload{
		NewRegister(prefix+"register/", seed),
		NewAppend(prefix+"append/", seed),
		NewLock(prefix + "lock/"),
		NewWatch(prefix+"watch/", seed),
	}
}
