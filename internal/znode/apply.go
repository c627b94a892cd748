package znode

import (
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// Apply executes req, the apply step of one ZooKeeper write, with
// ZooKeeper 3.8's semantics (see the package documentation for the checks
// and their order). Its ops run in order, each seeing the ones before, and
// all of their writes share one revision; if one fails, nothing is written
// and the results say which (Result). Containers emptied by the request are
// deleted in the same revision. It returns one Result per op and the
// store's outcome: the revision (the current one when nothing was written)
// and the events, which notify has been told of. Apply is called by the
// apply goroutine; it reads no clock (times come from req.Now).
func (t *Tree) Apply(req *Request) ([]Result, mvcc.TxnResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	results := make([]Result, len(req.Ops))
	failed := -1
	out, err := t.writeLocked(max(t.now, req.Now), func(w *writer) error {
		if req.Session != 0 && !t.leases.Exists(req.Session) {
			failed = 0
			return ErrSessionExpired
		}
		for i := range req.Ops {
			r, err := w.op(req, &req.Ops[i])
			if err != nil {
				failed = i
				return err
			}
			results[i] = r
		}
		return nil
	})
	if err == nil {
		return results, out
	}
	for i := range results {
		switch {
		case i < failed:
			results[i] = Result{}
		case i == failed:
			results[i] = Result{Err: err}
		default:
			results[i] = Result{Err: ErrRuntimeInconsistency}
		}
	}
	return results, mvcc.TxnResult{Rev: t.store.Rev()}
}

// op executes one op. Its error is one of the Err* sentinels.
func (w *writer) op(req *Request, op *Op) (Result, error) {
	target := op.Path
	if op.Kind == OpCreate && op.Mode.Sequential() {
		target += "1" // a sequence number follows
	}
	if reserved(target) && op.Kind != OpCheck && op.Kind != OpExpire {
		if op.Kind == OpCreate && virtual(target) {
			return Result{}, ErrNodeExists
		}
		return Result{}, ErrBadArguments
	}
	switch op.Kind {
	case OpCreate:
		return w.create(req, op)
	case OpDelete:
		return Result{}, w.deleteOp(req, op)
	case OpSetData:
		return w.setData(req, op)
	case OpCheck:
		return w.check(req, op)
	case OpSetACL:
		return w.setACL(req, op)
	case OpExpire:
		w.expire(op)
		return Result{}, nil
	}
	return Result{}, ErrBadArguments
}

// create checks in PrepRequestProcessor's order: mode and TTL, the parent
// (found from the last "/" alone, so "/d//x" is NONODE as in ZooKeeper,
// not BADARGUMENTS), ACL, CREATE permission on the parent, the full path
// with any sequence suffix appended, existence, ephemeral parent, session.
func (w *writer) create(req *Request, op *Op) (Result, error) {
	path := op.Path
	slash := strings.LastIndexByte(path, '/')
	switch {
	case !op.Mode.Valid() || slash < 0 || strings.IndexByte(path, 0) >= 0:
		return Result{}, ErrBadArguments
	case op.Mode.TTL() && (op.TTL <= 0 || op.TTL > MaxTTL):
		return Result{}, ErrBadArguments
	case !op.Mode.TTL() && op.TTL >= 0:
		return Result{}, ErrBadArguments
	}
	acl, err := fixACL(op.ACL, req.Auth)
	if err != nil {
		return Result{}, err
	}
	parentPath := path[:slash]
	if parentPath == "" {
		parentPath = "/"
	}
	if !ValidPath(parentPath) {
		return Result{}, ErrNoNode
	}
	parent, parentKV, ok := w.lookup(parentPath)
	if !ok {
		return Result{}, ErrNoNode
	}
	if !allowed(parent.acl, PermCreate, req.Auth) {
		return Result{}, ErrNoAuth
	}
	if op.Mode.Sequential() {
		path += fmt.Sprintf("%010d", parent.cversion)
	}
	if !ValidPath(path) {
		return Result{}, ErrBadArguments
	}
	if _, _, exists := w.lookup(path); exists {
		return Result{}, ErrNodeExists
	}
	if ephemeralOwner(parent, parentKV) != 0 {
		return Result{}, ErrNoChildrenForEphemerals
	}
	var lease int64
	if op.Mode.Ephemeral() {
		if req.Session == 0 || !w.t.leases.Exists(req.Session) {
			return Result{}, ErrSessionExpired
		}
		lease = req.Session
	}
	w.put(path, op.Data, lease, false)
	n := w.t.getLocked(path)
	n.acl, n.mode = acl, op.Mode
	if op.Mode.TTL() {
		n.ttl = op.TTL
	}
	w.t.setLocked(n)
	return Result{Path: path, Stat: w.stat(path)}, nil
}

// deleteOp checks the parent, DELETE permission on it, the node, its
// version and its children, in ZooKeeper's order. A node whose parent does
// not exist (a key written through the etcd API) is judged as if the
// parent had the open ACL.
func (w *writer) deleteOp(req *Request, op *Op) error {
	if op.Path == "/" || !ValidPath(op.Path) {
		return ErrBadArguments
	}
	parentPath, _ := splitPath(op.Path)
	if parent, _, ok := w.lookup(parentPath); ok && !allowed(parent.acl, PermDelete, req.Auth) {
		return ErrNoAuth
	}
	n, kv, ok := w.lookup(op.Path)
	switch {
	case !ok:
		return ErrNoNode
	case !versionMatches(op.Version, version(op.Path, kv)):
		return ErrBadVersion
	case n.children > 0:
		return ErrNotEmpty
	}
	w.delete(op.Path)
	return nil
}

func (w *writer) setData(req *Request, op *Op) (Result, error) {
	if err := w.checkNode(req, op, PermWrite); err != nil {
		return Result{}, err
	}
	w.put(op.Path, op.Data, 0, op.Path != "/")
	return Result{Stat: w.stat(op.Path)}, nil
}

func (w *writer) check(req *Request, op *Op) (Result, error) {
	if err := w.checkNode(req, op, PermRead); err != nil {
		return Result{}, err
	}
	return Result{Stat: w.stat(op.Path)}, nil
}

// checkNode checks, in ZooKeeper's order, the path, the node, perm on its
// ACL and its version.
func (w *writer) checkNode(req *Request, op *Op, perm int32) error {
	if !ValidPath(op.Path) {
		return ErrBadArguments
	}
	n, kv, ok := w.lookup(op.Path)
	switch {
	case !ok:
		return ErrNoNode
	case !allowed(n.acl, perm, req.Auth):
		return ErrNoAuth
	case !versionMatches(op.Version, version(op.Path, kv)):
		return ErrBadVersion
	}
	return nil
}

// setACL checks the path, the new ACL, the node, ADMIN permission and the
// ACL version. It writes no key: the revision does not move for it.
func (w *writer) setACL(req *Request, op *Op) (Result, error) {
	if !ValidPath(op.Path) {
		return Result{}, ErrBadArguments
	}
	acl, err := fixACL(op.ACL, req.Auth)
	if err != nil {
		return Result{}, err
	}
	n, _, ok := w.lookup(op.Path)
	switch {
	case !ok:
		return Result{}, ErrNoNode
	case !allowed(n.acl, PermAdmin, req.Auth):
		return Result{}, ErrNoAuth
	case !versionMatches(op.Version, n.aversion):
		return Result{}, ErrBadVersion
	}
	n.acl = acl
	n.aversion++
	w.t.setLocked(n)
	return Result{Stat: w.stat(op.Path)}, nil
}

// expire deletes a TTL node that is still childless and unmodified since
// the leader saw it expire.
func (w *writer) expire(op *Op) {
	if !ValidPath(op.Path) {
		return
	}
	n, kv, ok := w.lookup(op.Path)
	if ok && n.live && n.mode.TTL() && n.children == 0 && kv.ModRevision == op.Zxid {
		w.delete(op.Path)
	}
}

// lookup returns path's metadata and key, and whether the node exists (the
// root and the virtual nodes always do; nothing else in the reserved
// subtree does).
func (w *writer) lookup(path string) (node, mvccpb.KeyValue, bool) {
	switch {
	case virtual(path):
		return node{path: path, live: true}, mvccpb.KeyValue{}, true
	case reserved(path):
		return node{}, mvccpb.KeyValue{}, false
	}
	kv, ok := w.b.Get([]byte(path))
	if !ok && path != "/" {
		return node{}, kv, false
	}
	return w.t.getLocked(path), kv, true
}

// stat returns the Stat of the existing node path.
func (w *writer) stat(path string) Stat {
	n, kv, _ := w.lookup(path)
	return makeStat(path, n, &kv)
}

func versionMatches(want, have int32) bool { return want == -1 || want == have }
