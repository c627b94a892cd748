package zk

import (
	"strings"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// Conversions between the wire's records and the data model's types.

func statOf(s znode.Stat) jute.Stat {
	return jute.Stat{
		Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime,
		Version: s.Version, Cversion: s.Cversion, Aversion: s.Aversion,
		EphemeralOwner: s.EphemeralOwner, DataLength: s.DataLength, NumChildren: s.NumChildren, Pzxid: s.Pzxid,
	}
}

func aclsIn(acl []jute.ACL) []znode.ACL {
	out := make([]znode.ACL, len(acl))
	for i, a := range acl {
		out[i] = znode.ACL{Perms: int32(a.Perms), ID: znode.ID{Scheme: a.ID.Scheme, ID: a.ID.ID}}
	}
	return out
}

// aclsOut converts an ACL for a reply; mask hides digest hashes
// ("user:hash" becomes "user:x"), as ZooKeeper does for a reader without
// ADMIN permission.
func aclsOut(acl []znode.ACL, mask bool) []jute.ACL {
	out := make([]jute.ACL, len(acl))
	for i, a := range acl {
		id := a.ID.ID
		if mask && a.ID.Scheme == "digest" {
			if user, _, ok := strings.Cut(id, ":"); ok {
				id = user + ":x"
			}
		}
		out[i] = jute.ACL{Perms: jute.Perms(a.Perms), ID: jute.Id{Scheme: a.ID.Scheme, ID: id}}
	}
	return out
}

// modeOf converts a create mode; one ZooKeeper does not know becomes a
// mode the data model refuses (BADARGUMENTS, in the op's turn).
func modeOf(m jute.CreateMode) znode.Mode {
	if !m.Valid() {
		return znode.Mode(255)
	}
	return znode.Mode(m)
}
