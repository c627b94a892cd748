//go:build concord_broken_reads

package server

// brokenLocalReads, set only in a binary built with -tags
// concord_broken_reads, makes "linearizable" reads skip the ReadIndex round
// and read this member's local state, which is stale on a deposed or
// partitioned leader and on a lagging follower. It exists so the fault
// harness (test/chaos, TestBrokenBuildIsCaught) can show that its checkers
// catch stale reads; never build a release with it.
const brokenLocalReads = true
