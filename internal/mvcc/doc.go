// Package mvcc is Concord's replicated key space: an in-memory,
// multi-version key-value store whose every write is applied, in raft log
// order, identically on every member.
//
// # Revisions
//
// The store keeps one store-wide revision. An empty store is at revision 1;
// every write transaction that changes something (a put, or a delete that
// deletes at least one key) produces exactly one new revision, however many
// keys it touches, and every change it makes carries that revision. A
// transaction that only reads, or whose deletes match nothing, leaves the
// revision unchanged. Each key records its create revision, mod revision,
// version (1 on creation, +1 per put, 0 once deleted), value and lease, as
// etcd's mvccpb.KeyValue does.
//
// The history of every key is kept until Compact discards it, so reads at
// an older revision work and watchers can be caught up from history. See
// history.go for how one key's history evolves.
//
// # Determinism
//
// This package is the state machine: it does no I/O except through the
// io.Reader and io.Writer handed to it, reads no clock, draws no random
// numbers and starts no goroutines. Given the same sequence of Txn, Compact
// and Restore calls, two stores reach the same state, which HashKV
// summarises.
//
// # Concurrency
//
// A Store is guarded by one sync.RWMutex. Mutations (write transactions,
// Compact, Restore) must be issued by a single goroutine, the apply loop,
// in log order; reads (Range, read-only Txn, Rev, CompactRev, HashKV, View)
// may come from any goroutine. The key index is a copy-on-write B-tree whose
// items are never changed once inserted, so View can hand a consistent
// snapshot to another goroutine in O(1) while writes continue.
//
// Byte slices cross the API without copying. Txn keeps the Key and Value
// slices of put operations, so callers must not modify them afterwards, and
// the KeyValues in results and events share their Key and Value slices with
// the store, so callers must treat them as read-only.
//
// # Batches and seeks
//
// Write opens a write transaction that stays open while its caller reads
// and decides (Batch): every write made through it shares one revision,
// and an error from the caller undoes them all. Seek walks keys in order
// and lets its caller jump ahead. The ZooKeeper data model (internal/znode)
// builds on both: a multi checks each op against the ones before it and
// commits them as one revision, and a child listing seeks past each
// child's subtree. Its per-node metadata (times, ACL, cversion, pzxid,
// child counts) lives in its own copy-on-write table, kept in step with
// this store's events by the same apply step; the store stays unaware of
// ZooKeeper.
package mvcc
