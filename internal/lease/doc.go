// Package lease implements leases: TTL-bound sessions to which keys are
// attached and which, when they expire or are revoked, delete those keys in
// the same revision. It has two halves, deliberately kept apart.
//
// # The replicated half: Table
//
// Table says which leases exist, their granted TTLs, the remaining TTL the
// leader last checkpointed, and which keys are attached to each. Every
// member holds one, changed only by the apply step from committed commands
// (GrantRequest, RevokeRequest, CheckpointRequest) and from the events of
// applied writes (ApplyEvents). It is deterministic: no clock, no
// randomness, no I/O; its Snapshot encodes the same table to the same bytes.
//
// # The leader-only half: Lessor
//
// Lessor holds the expiry time of every lease, on the leader only, from an
// injected Clock. It renews leases on keepalives (Renew), measures the time
// they have left (Remaining), and in Tick turns expiries into revoke
// proposals and periodically checkpoints the remaining TTL of long leases,
// so that a leader change does not restart them at their full TTL. Nothing
// it decides changes state except through raft: the apply step, not the
// Lessor, removes a lease. See Lessor for how it survives a paused or
// deposed leader and why a leader change never shortens a lease.
//
// # Time
//
// Inside, TTLs are milliseconds (ZooKeeper sessions need them); the etcd
// API speaks seconds (Seconds, ToSeconds). Limits documents the TTL bounds.
//
// # Lock order
//
// Table.mu, then Lessor.mu: the Table informs its Lessor of grants, revokes
// and restores under its lock; the Lessor never calls the Table while
// holding its own.
package lease
