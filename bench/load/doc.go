// Package load is the benchmark's load generator. One Workload drives any
// system through the protocol it speaks: the etcd v3 API through
// go.etcd.io/etcd/client/v3, the ZooKeeper protocol through
// github.com/go-zookeeper/zk. A workload a system cannot run (no such API,
// or the server answers Unimplemented) fails with ErrUnsupported and a
// reason, which the report shows as "n/a".
//
// A run has a warm-up, then a measured window of fixed length. Every client
// is a goroutine that issues one operation at a time, closed loop; clients
// share connections (Clients over Conns). Only operations started inside the
// window count, and the Meter is told when the window opens and closes so
// server-side figures cover the same interval.
//
// Connections for multi-client workloads are spread over the members (conn
// i talks to member i mod 3); single-client workloads talk to the leader, so
// their latency is the cost of a write without a forwarding hop on every
// system.
package load
