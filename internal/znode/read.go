package znode

import (
	"bytes"
	"slices"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// Rev implements Reader.
func (t *Tree) Rev() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.store.Rev()
}

// Get implements Reader.
func (t *Tree) Get(path string) ([]byte, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, kv, err := t.readLocked(path)
	if err != nil {
		return nil, Stat{}, err
	}
	return bytes.Clone(kv.Value), makeStat(path, n, &kv), nil
}

// Exists implements Reader.
func (t *Tree) Exists(path string) (Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, kv, err := t.readLocked(path)
	if err != nil {
		return Stat{}, err
	}
	return makeStat(path, n, &kv), nil
}

// Children implements Reader.
func (t *Tree) Children(path string) ([]string, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, kv, err := t.readLocked(path)
	if err != nil {
		return nil, Stat{}, err
	}
	names := make([]string, 0, n.children)
	t.walkChildrenLocked(path, func(name string) { names = append(names, name) })
	return names, makeStat(path, n, &kv), nil
}

// ACL implements Reader.
func (t *Tree) ACL(path string) ([]ACL, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, kv, err := t.readLocked(path)
	if err != nil {
		return nil, Stat{}, err
	}
	return slices.Clone(aclOf(n)), makeStat(path, n, &kv), nil
}

// AllChildrenNumber implements Reader.
func (t *Tree) AllChildrenNumber(path string) (int, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if _, _, err := t.readLocked(path); err != nil {
		return 0, err
	}
	prefix := childPrefix(path)
	from := prefix
	if path == "/" {
		from = "/\x00" // every key below the root, but not "/" itself
	}
	res, err := t.store.Range([]byte(from), []byte(prefixEnd(prefix)), mvcc.RangeOptions{CountOnly: true})
	if err != nil {
		return 0, err
	}
	return int(res.Count), nil
}

// Ephemerals implements Reader.
func (t *Tree) Ephemerals(session int64, prefix string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var paths []string
	for _, k := range t.leases.Keys(session) {
		if p := string(k); ValidPath(p) && hasPrefix(p, prefix) {
			paths = append(paths, p)
		}
	}
	return paths
}

// Allowed implements Reader.
func (t *Tree) Allowed(path string, perm int32, auth []ID) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, _, err := t.readLocked(path)
	switch {
	case err != nil:
		return err
	case !allowed(n.acl, perm, auth):
		return ErrNoAuth
	}
	return nil
}

// readLocked returns path's metadata and key: ErrBadArguments for an
// invalid path, ErrNoNode when there is no such node.
func (t *Tree) readLocked(path string) (node, mvccpb.KeyValue, error) {
	if !ValidPath(path) {
		return node{}, mvccpb.KeyValue{}, ErrBadArguments
	}
	res, err := t.store.Range([]byte(path), nil, mvcc.RangeOptions{})
	if err != nil {
		return node{}, mvccpb.KeyValue{}, err
	}
	if len(res.KVs) == 0 {
		if path != "/" {
			return node{}, mvccpb.KeyValue{}, ErrNoNode
		}
		return t.getLocked(path), mvccpb.KeyValue{}, nil
	}
	return t.getLocked(path), *res.KVs[0], nil
}

// walkChildrenLocked calls fn with the name of each child of path, in
// ascending order. It visits each child's key and then seeks past the
// child's own descendants, so it costs one seek per child however large the
// subtrees below are (plus one visit per deleted key not yet compacted).
func (t *Tree) walkChildrenLocked(path string, fn func(name string)) {
	prefix := childPrefix(path)
	t.store.Seek([]byte(prefix), []byte(prefixEnd(prefix)), func(key []byte, live bool) []byte {
		rest := key[len(prefix):]
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			next := make([]byte, len(prefix)+i+1) // past the subtree of rest[:i]
			copy(next, key[:len(prefix)+i])
			next[len(next)-1] = '0'
			return next
		}
		if name := string(rest); live && validName(name) {
			fn(name)
		}
		return nil
	})
}

// aclOf returns a node's ACL.
func aclOf(n node) []ACL {
	if n.acl == nil {
		return OpenACL
	}
	return n.acl
}
