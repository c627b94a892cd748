// Package check records histories of operations against a live cluster and
// checks them for linearizability with porcupine. It holds the register
// workload (put, get and compare-and-swap on a few keys) and its model;
// the fault tests drive it during partitions and restarts, and later
// `concord check` runs it against any etcd-compatible cluster.
package check
