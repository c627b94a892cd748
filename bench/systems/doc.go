// Package systems starts and stops the three-member clusters the benchmark
// compares: Concord built from this checkout, Debian's etcd 3.4 and Debian's
// ZooKeeper 3.8. Every member is a child process in its own process group,
// bound to 127.0.0.1 on ports chosen for this run, with its data in a
// directory the caller owns. A Cluster stops exactly the processes it
// started (SIGTERM to each group, SIGKILL after a grace period), and the
// kernel kills them too if the benchmark itself dies (PR_SET_PDEATHSIG).
//
// Each system keeps its own durability defaults: Concord's WAL fsyncs, etcd
// fsyncs its WAL, ZooKeeper runs with forceSync=yes. The only setting
// changed from a system's default is one a benchmark on loopback cannot run
// without; zookeeper.go lists them.
package systems
