// Package check runs client workloads against a live etcd-compatible
// cluster and judges what they recorded. Each workload is a Workload
// (check.go): Run drives it through clients bound to members while the
// cluster is under test, Check judges the recording against the final
// state once the cluster has healed.
//
//   - register: put, get and compare-and-swap on a few keys, checked for
//     linearizability by porcupine (register.go, workload.go, history.go).
//   - append: read-modify-write transactions extending a few keys; every
//     acknowledged append must be in the final value exactly once, in
//     acknowledgement order, and no read may be stale (append.go).
//   - lock: clientv3/concurrency Mutex holders writing fencing tokens to a
//     guarded key; critical sections must not overlap in revision order and
//     no stale token may be accepted (lock.go).
//   - watch: watchers on the workload's prefix must see the store's history
//     of it exactly, in order, once (watch.go).
//
// The checkers are pure functions of a recorded log (the *_check.go
// files), tested on hand-made histories. The chaos harness (test/chaos)
// and `concord check` drive the same workloads.
package check
