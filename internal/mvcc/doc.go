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
// # Room for ZooKeeper
//
// The ZooKeeper front end will need per-node metadata maintained by the
// same apply step: creation and modification timestamps chosen by the
// leader and carried in the command, the ACL, and for a parent its child
// count, child-change revision (cversion, pzxid) and sequence counter.
// Timestamps and the ACL are per version and belong as fields of record
// (history.go), written by put and copied by the snapshot format, which
// would then move to version 3. Parent metadata changes whenever a child
// is created or deleted, so it belongs to the write path in txn.go: either
// as a second copy-on-write tree keyed by parent path, updated in the same
// transaction (and cloned by View alongside the key tree), or as fields of
// the parent's own record. Neither is built yet.
package mvcc
