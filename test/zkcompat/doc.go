// Package zkcompat judges a service that speaks the ZooKeeper protocol by
// the clients people run against ZooKeeper: github.com/go-zookeeper/zk,
// Debian's zkCli.sh, ZooKeeper's own Java client and Apache Curator's
// recipes, all against real processes over real TCP.
//
// The service under test is Concord by default: three `concord serve`
// processes, each with its own --listen-zk-addr. CONCORD_ZK_TARGET=zookeeper
// runs the same tests against a three-member ensemble of Debian's ZooKeeper
// 3.8 instead, which is how the tests themselves are checked. The
// differential test always runs real ZooKeeper as the reference and the
// target under test as the candidate, and compares what each answers to
// the same scripted sessions.
//
// A test skips, saying why, when what it needs is absent: Concord without
// the ZooKeeper front end, Java, the Debian jars or zkCli.sh
// (scripts/install-deps.sh installs them). Every test bounds itself in time
// and stops the processes it started, by PID, when it ends.
package zkcompat
