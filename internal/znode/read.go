package znode

import (
	"bytes"
	"fmt"
	"slices"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// view reads the Tree with its lock already held for reading: it is what
// Read hands its function, and what the Tree's own Reader methods run
// under the lock for one call.
type view struct{ t *Tree }

var _ Reader = view{}

// Read implements Reader: fn's reads all see one revision, which Read
// returns.
func (t *Tree) Read(fn func(Reader)) int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.Read(fn)
}

// Read implements Reader (the lock is held already).
func (v view) Read(fn func(Reader)) int64 {
	fn(v)
	return v.t.store.Rev()
}

// Rev implements Reader.
func (t *Tree) Rev() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.store.Rev()
}

// Rev implements Reader.
func (v view) Rev() int64 { return v.t.store.Rev() }

// Get implements Reader.
func (t *Tree) Get(path string) ([]byte, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.Get(path)
}

func (v view) Get(path string) ([]byte, Stat, error) {
	t := v.t
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
	return view{t}.Exists(path)
}

func (v view) Exists(path string) (Stat, error) {
	t := v.t
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
	return view{t}.Children(path)
}

func (v view) Children(path string) ([]string, Stat, error) {
	t := v.t
	n, kv, err := t.readLocked(path)
	if err != nil {
		return nil, Stat{}, err
	}
	names := make([]string, 0, n.children+2)
	if !virtual(path) {
		t.walkChildrenLocked(path, func(name string) { names = append(names, name) })
	}
	return withVirtual(path, names), makeStat(path, n, &kv), nil
}

// ACL implements Reader.
func (t *Tree) ACL(path string) ([]ACL, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.ACL(path)
}

func (v view) ACL(path string) ([]ACL, Stat, error) {
	t := v.t
	n, kv, err := t.readLocked(path)
	if err != nil {
		return nil, Stat{}, err
	}
	return slices.Clone(aclOf(n)), makeStat(path, n, &kv), nil
}

// AllChildrenNumber implements Reader. The virtual nodes count, and keys in
// the reserved subtree do not.
func (t *Tree) AllChildrenNumber(path string) (int, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.AllChildrenNumber(path)
}

func (v view) AllChildrenNumber(path string) (int, error) {
	t := v.t
	if _, _, err := t.readLocked(path); err != nil {
		return 0, err
	}
	switch {
	case path == "/":
		below := t.countLocked("/\x00", "0") // every key below the root, but not "/" itself
		hidden := t.countLocked("/zookeeper", "") + t.countLocked("/zookeeper/", "/zookeeper0")
		return below - hidden + 3, nil
	case virtual(path):
		return len(virtualChildren[path]), nil
	}
	prefix := childPrefix(path)
	return t.countLocked(prefix, prefixEnd(prefix)), nil
}

// countLocked counts the live keys in etcd's range [key, end).
func (t *Tree) countLocked(key, end string) int {
	res, err := t.store.Range([]byte(key), []byte(end), mvcc.RangeOptions{CountOnly: true})
	if err != nil {
		panic(fmt.Sprintf("znode: count keys: %v", err)) // a read of the current revision cannot fail
	}
	return int(res.Count)
}

// Ephemerals implements Reader.
func (t *Tree) Ephemerals(session int64, prefix string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.Ephemerals(session, prefix)
}

func (v view) Ephemerals(session int64, prefix string) []string {
	t := v.t
	var paths []string
	for _, k := range t.leases.Keys(session) {
		if p := string(k); visible(p) && hasPrefix(p, prefix) {
			paths = append(paths, p)
		}
	}
	return paths
}

// Allowed implements Reader.
func (t *Tree) Allowed(path string, perm int32, auth []ID) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return view{t}.Allowed(path, perm, auth)
}

func (v view) Allowed(path string, perm int32, auth []ID) error {
	t := v.t
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
	switch {
	case !ValidPath(path):
		return node{}, mvccpb.KeyValue{}, ErrBadArguments
	case virtual(path):
		return node{path: path, live: true}, mvccpb.KeyValue{}, nil
	case reserved(path):
		return node{}, mvccpb.KeyValue{}, ErrNoNode
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
		if name := string(rest); live && validName(name) && !(path == "/" && name == "zookeeper") {
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
