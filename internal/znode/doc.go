// Package znode is ZooKeeper's data model over Concord's replicated store:
// a znode path is the etcd key of the same bytes and its data is the
// key's value, so ZooKeeper and etcd clients share one keyspace and one
// revision order (zxid = revision). What a key does not carry (ctime,
// mtime, the ACL and its version, the stored cversion, pzxid, the child
// count, the container and TTL modes) lives in the Tree's metadata table,
// which the apply step keeps in step with every write, whatever API made
// it. docs/zookeeper.md describes the mapping for users.
//
// The package is deterministic: Apply reads no clock (times come in the
// request), draws no random numbers and does no I/O, so every member that
// applies the same requests holds the same metadata.
package znode
