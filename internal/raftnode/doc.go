// Package raftnode runs one member's raft state machine: the single
// goroutine that owns a go.etcd.io/raft/v3 RawNode and its Ready/Advance
// loop, the write-ahead log and snapshot files behind it, and the batching of
// linearizable reads through ReadIndex.
//
// Ordering inside one Ready (the loop in loop.go):
//
//  1. a leader sends its messages first: it may write its own log in parallel
//     with its followers (raft thesis 10.2.1); raft counts the leader's own
//     copy only after Advance, so nothing commits on an unpersisted leader log;
//  2. a received snapshot is written to its file and marked in the WAL;
//  3. HardState and entries are appended to the WAL with one fdatasync: this
//     is the group commit, every proposal that reached raft since the last
//     Ready shares it. A Ready whose only change is the commit index is not
//     written at all (raft's MustSync is false);
//  4. a follower sends its messages only now, after its log is durable;
//  5. read states resolve waiting linearizable reads;
//  6. committed entries are applied to the state machine, in order;
//  7. Advance.
//
// Any WAL error stops the node: a write is never acknowledged unless it is on
// disk on a quorum.
package raftnode
