package znode

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/google/btree"
	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/mvcc"
)

// Tree is ZooKeeper's data model over the replicated store: the store holds
// each znode's data (the key is the path), and the Tree keeps what the store
// does not, the metadata table, in step with every write, whatever API made
// it. See the package documentation.
//
// Every write to the store goes through the Tree (Write for the etcd API
// and lease revokes, Apply for ZooKeeper requests), on the apply goroutine,
// holding mu for writing, so that a reader holding mu for reading sees the
// store and the metadata at one revision.
//
// Lock order: Tree.mu, then mvcc.Store's lock and lease.Table's lock.
type Tree struct {
	store  *mvcc.Store
	leases *lease.Table
	notify func(rev int64, events []mvccpb.Event)

	mu    sync.RWMutex // protects the fields below
	nodes *btree.BTreeG[node]
	// now is the latest time a request stamped (ms since the epoch), the
	// ctime and mtime of keys written through the etcd API.
	now int64
	// ttls holds the paths of live TTL nodes: an index of nodes, rebuilt
	// on restore, which the leader's expiry scan reads.
	ttls map[string]struct{}

	// Scratch of the write in progress, kept to reuse its memory.
	undo    []undoEntry
	emptied []string // parents whose last child a write deleted
}

// node is the metadata of one path. An entry exists for every live key that
// is a valid path (live), for every path with live children (which may not
// exist itself: a key written through the etcd API under a missing parent),
// and always for the root. Entries are never changed in place once in the
// tree, so a cloned tree (a snapshot) keeps seeing the old ones.
type node struct {
	path string
	live bool // a key exists at path; the node fields below describe it

	// Node fields, set when the key is created.
	ctime, mtime int64
	aversion     int32
	mode         Mode  // the create mode; Persistent for keys written through the etcd API
	ttl          int64 // TTL modes: ms
	acl          []ACL // nil means OpenACL; never modified (replaced whole)

	// Parent fields.
	cversion int32 // stored cversion: children created since the node was
	pzxid    int64 // revision of the latest child creation or deletion, else czxid
	children int32 // live keys that are children
}

func lessNode(a, b node) bool { return a.path < b.path }

// undoEntry is what a write to the table replaced: the old entry, or, if
// there was none, just its path.
type undoEntry struct {
	old     node
	existed bool
}

// New returns the Tree over store and leases, whose keys it takes to be
// consistent with an empty metadata table (an empty store, or see Restore).
// notify (the watch hub's Notify; nil for none) is told of every write's
// revision and events before the Tree's lock is released, so by the time
// a Reader sees a revision, the hub has been handed its events: a front end
// that delivers the hub's events before answering reads never shows data
// ahead of the events that produced it. notify must not block, nor call
// the Tree.
func New(store *mvcc.Store, leases *lease.Table, notify func(rev int64, events []mvccpb.Event)) *Tree {
	t := &Tree{store: store, leases: leases, notify: notify}
	t.reset(newNodes())
	return t
}

func newNodes() *btree.BTreeG[node] {
	n := btree.NewG(32, lessNode)
	n.ReplaceOrInsert(node{path: "/"})
	return n
}

// reset installs nodes as the table and rebuilds the index from it.
func (t *Tree) reset(nodes *btree.BTreeG[node]) {
	t.nodes = nodes
	t.ttls = make(map[string]struct{})
	nodes.Ascend(func(n node) bool {
		t.index(n)
		return true
	})
}

func (t *Tree) index(n node) {
	if n.live && n.mode.TTL() {
		t.ttls[n.path] = struct{}{}
	} else {
		delete(t.ttls, n.path)
	}
}

// getLocked returns path's entry; a missing one reads as an empty entry.
func (t *Tree) getLocked(path string) node {
	n, ok := t.nodes.Get(node{path: path})
	if !ok {
		n.path = path
	}
	return n
}

// setLocked replaces path's entry with n, logging the old one for undo. An
// entry that describes nothing (not live, no children, not the root) is
// removed instead.
func (t *Tree) setLocked(n node) {
	var old node
	var existed bool
	if n.live || n.children > 0 || n.path == "/" {
		old, existed = t.nodes.ReplaceOrInsert(n)
	} else {
		old, existed = t.nodes.Delete(node{path: n.path})
	}
	if !existed {
		old = node{path: n.path}
	}
	t.undo = append(t.undo, undoEntry{old: old, existed: existed})
	t.index(n)
}

// rollbackLocked undoes every table write since the last commit, newest
// first.
func (t *Tree) rollbackLocked() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := &t.undo[i]
		if u.existed {
			t.nodes.ReplaceOrInsert(u.old)
			t.index(u.old)
		} else {
			t.nodes.Delete(u.old)
			delete(t.ttls, u.old.path)
		}
	}
	t.commitLocked()
}

// commitLocked forgets the undo log and scratch.
func (t *Tree) commitLocked() {
	clear(t.undo)
	t.undo = t.undo[:0]
	t.emptied = t.emptied[:0]
}

// Write runs fn, which writes to the store through the batch (the apply
// step of an etcd request or of a lease revoke), and brings the metadata
// table up to date with the events: a created key gets ctime and mtime from
// the latest stamped time and the open ACL, its parent's child count,
// stored cversion and pzxid move; a deleted key's parent's count and pzxid
// move. A container left without children, having had one, is deleted in
// the same revision. The lease table and notify are told of every event.
// fn's error undoes everything and is returned. Write is called by the
// apply goroutine.
func (t *Tree) Write(fn func(b *mvcc.Batch) error) (mvcc.TxnResult, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.writeLocked(t.now, func(w *writer) error { return fn(w.b) })
}

// writeLocked runs fn in one store batch with a writer stamping time now,
// then deletes emptied containers, and commits or undoes both the store and
// the table.
func (t *Tree) writeLocked(now int64, fn func(w *writer) error) (mvcc.TxnResult, error) {
	prevNow := t.now
	t.now = now
	out, err := t.store.Write(func(b *mvcc.Batch) error {
		w := &writer{t: t, b: b}
		if err := fn(w); err != nil {
			return err
		}
		w.sync()
		w.deleteEmptyContainers()
		return nil
	})
	if err != nil {
		t.now = prevNow
		t.rollbackLocked()
		return out, err
	}
	t.commitLocked()
	t.leases.ApplyEvents(out.Events)
	if len(out.Events) > 0 && t.notify != nil {
		t.notify(out.Rev, out.Events)
	}
	return out, nil
}

// writer is one write in progress: the store batch and how many of its
// events the table has seen.
type writer struct {
	t    *Tree
	b    *mvcc.Batch
	seen int
}

// sync applies the batch's events the table has not seen yet.
func (w *writer) sync() {
	evs := w.b.Events()
	for i := w.seen; i < len(evs); i++ {
		w.t.applyEventLocked(&evs[i], w.b.Rev())
	}
	w.seen = len(evs)
}

// applyEventLocked updates the table for one change of the store at rev.
// Keys that are not visible have no metadata. The root's entry is never
// reset: the root always exists, and its key holds only its data.
func (t *Tree) applyEventLocked(ev *mvccpb.Event, rev int64) {
	if k := ev.Kv.Key; len(k) == 0 || k[0] != '/' {
		return // the common etcd key: not a path, so skip the string copy
	}
	path := string(ev.Kv.Key)
	if !visible(path) {
		return
	}
	n := t.getLocked(path)
	switch {
	case ev.Type == mvccpb.PUT && (ev.PrevKv != nil || path == "/"):
		n.live, n.mtime = true, t.now
		t.setLocked(n)
		return
	case ev.Type == mvccpb.PUT:
		t.setLocked(node{path: path, live: true, ctime: t.now, mtime: t.now, pzxid: rev, children: n.children})
	case path == "/":
		n.live, n.mtime = false, 0
		t.setLocked(n)
		return
	default:
		t.setLocked(node{path: path, children: n.children})
	}
	parent, _ := splitPath(path)
	p := t.getLocked(parent)
	p.pzxid = rev
	if ev.Type == mvccpb.PUT {
		p.children++
		p.cversion++
	} else {
		p.children--
		if p.children == 0 {
			t.emptied = append(t.emptied, parent)
		}
	}
	t.setLocked(p)
}

// deleteEmptyContainers deletes, in the batch, every container whose last
// child the write deleted, once it has had a child (stored cversion > 0),
// as ZooKeeper's container manager would later; deleting one may empty its
// parent in turn.
func (w *writer) deleteEmptyContainers() {
	for len(w.t.emptied) > 0 {
		path := w.t.emptied[len(w.t.emptied)-1]
		w.t.emptied = w.t.emptied[:len(w.t.emptied)-1]
		n := w.t.getLocked(path)
		if n.live && n.mode == Container && n.cversion > 0 && n.children == 0 {
			w.delete(path)
		}
	}
}

// put writes data to path, keeping the key's lease (keep) or setting lease.
func (w *writer) put(path string, data []byte, lease int64, keep bool) {
	w.txn(mvcc.Op{Type: mvcc.OpPut, Key: []byte(path), Value: data, Lease: lease, IgnoreLease: keep})
}

func (w *writer) delete(path string) {
	w.txn(mvcc.Op{Type: mvcc.OpDelete, Key: []byte(path)})
}

// txn runs one store operation and brings the table up to date with it.
func (w *writer) txn(op mvcc.Op) {
	if _, err := w.b.Txn(&mvcc.TxnRequest{Success: []mvcc.Op{op}}); err != nil {
		panic(fmt.Sprintf("znode: store op %d on %q: %v", op.Type, op.Key, err)) // its preconditions were checked
	}
	w.sync()
}

// hasPrefix reports whether path lies at or below prefix, in ZooKeeper's
// string sense ("/a" is a prefix of "/ab").
func hasPrefix(path, prefix string) bool {
	return prefix == "" || prefix == "/" || strings.HasPrefix(path, prefix)
}

// ExpiredTTL returns, for the leader's TTL expiry, an OpExpire for each TTL
// node (at most limit of them) that has no children and was last modified
// more than its TTL before now (ms since the epoch, the leader's clock),
// ZooKeeper's rule. The ops carry the mzxid the node has now, so that one
// applied after the node changed does nothing.
func (t *Tree) ExpiredTTL(now int64, limit int) []Op {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var ops []Op
	for _, p := range slices.Sorted(maps.Keys(t.ttls)) {
		if len(ops) == limit {
			break
		}
		n := t.getLocked(p)
		if n.children > 0 || now-n.mtime <= n.ttl {
			continue
		}
		if _, kv, err := t.readLocked(p); err == nil {
			ops = append(ops, Op{Kind: OpExpire, Path: p, Zxid: kv.ModRevision})
		}
	}
	return ops
}
