package znode

import (
	"slices"
	"strings"
)

// ZooKeeper keeps a subtree of its own under /zookeeper (quotas and the
// dynamic configuration). Concord has neither, but clients and tools expect
// the nodes (zkCli's `ls /` shows zookeeper; an empty ZooKeeper's root has
// cversion -1 because of it), so the Tree shows three read-only virtual
// nodes: /zookeeper, with the children config and quota. They have no data,
// the open ACL, and zero zxids and times; like ZooKeeper's, they count among
// their parent's children without having been created, so /zookeeper
// reports cversion -2 and an empty root -1.
//
// The whole subtree is reserved. Keys at or below /zookeeper written through
// the etcd API are invisible to ZooKeeper clients and have no metadata, and
// a ZooKeeper write at or below it fails: a create of one of the three
// nodes with NODEEXISTS, a check of one of them as for any node, anything
// else with BADARGUMENTS.
var virtualChildren = map[string][]string{
	"/":                 {"zookeeper"},
	"/zookeeper":        {"config", "quota"},
	"/zookeeper/config": nil,
	"/zookeeper/quota":  nil,
}

// reserved reports whether path lies in the reserved subtree.
func reserved(path string) bool {
	return path == "/zookeeper" || strings.HasPrefix(path, "/zookeeper/")
}

// virtual reports whether path is one of the virtual nodes (not the root).
func virtual(path string) bool {
	_, ok := virtualChildren[path]
	return ok && path != "/"
}

// visible reports whether a key is a znode ZooKeeper clients can see: a
// valid path outside the reserved subtree.
func visible(path string) bool { return ValidPath(path) && !reserved(path) }

// withVirtual merges the virtual children of path into names (ascending).
func withVirtual(path string, names []string) []string {
	for _, v := range virtualChildren[path] {
		i, _ := slices.BinarySearch(names, v)
		names = slices.Insert(names, i, v)
	}
	return names
}
