package znode

import "go.etcd.io/etcd/api/v3/mvccpb"

// makeStat derives a node's Stat from its key and its metadata:
//
//	czxid, mzxid    the key's create and mod revisions
//	ctime, mtime    the metadata's (stamped by the writes, ms)
//	version         the key's etcd version - 1 (etcd counts the creating put)
//	cversion        stored cversion*2 - numChildren: ZooKeeper stores the
//	                number of child creations and reports the number of
//	                child changes (creations + deletions)
//	aversion        the metadata's ACL version
//	ephemeralOwner  the key's lease; 0 for container and TTL nodes
//	dataLength      len(value)
//	numChildren     the metadata's count of live child keys, plus the
//	                virtual children (reserved.go)
//	pzxid           the revision of the latest child change, else czxid
//
// The root is virtual: czxid and ctime are 0, and its data, version and
// mzxid are those of the key "/" if there is one (version counts every
// write, since no put created the root), else empty and 0. int32 fields
// wrap as ZooKeeper's Java ints do.
func makeStat(path string, n node, kv *mvccpb.KeyValue) Stat {
	children := n.children + int32(len(virtualChildren[path]))
	st := Stat{
		Czxid: kv.CreateRevision, Mzxid: kv.ModRevision, Ctime: n.ctime, Mtime: n.mtime,
		Version: version(path, *kv), Cversion: n.cversion*2 - children, Aversion: n.aversion,
		EphemeralOwner: ephemeralOwner(n, *kv), DataLength: int32(len(kv.Value)),
		NumChildren: children, Pzxid: n.pzxid,
	}
	if path == "/" {
		st.Czxid, st.Ctime = 0, 0
	}
	return st
}

// version returns the node's data version (see makeStat); the virtual
// nodes have no key and version 0.
func version(path string, kv mvccpb.KeyValue) int32 {
	if path == "/" || virtual(path) {
		return int32(kv.Version)
	}
	return int32(kv.Version - 1)
}

// ephemeralOwner returns the session a node belongs to, 0 for none.
func ephemeralOwner(n node, kv mvccpb.KeyValue) int64 {
	if n.mode == Container || n.mode.TTL() {
		return 0
	}
	return kv.Lease
}
