package zk

import (
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// watchType is a kind of ZooKeeper watch a connection holds.
type watchType uint8

const (
	watchData       watchType = iota // one-shot: getData, or exists on a node that exists
	watchExist                       // one-shot: exists on a node that does not
	watchChild                       // one-shot: getChildren
	watchPersistent                  // addWatch PERSISTENT
	watchRecursive                   // addWatch PERSISTENT_RECURSIVE
	numWatchTypes
)

func (t watchType) oneShot() bool { return t <= watchChild }

// below reports whether watches of type t need the changes of the keys
// below their node as well as its own.
func (t watchType) below() bool { return t >= watchChild }

// feed is what the hub must deliver for some watch: the changes of the key
// path, or (below) of every key under path + "/".
type feed struct {
	path  string
	below bool
}

// feeds returns the feeds a watch of type t on path needs.
func (t watchType) feeds(path string) []feed {
	if t.below() {
		return []feed{{path, false}, {path, true}}
	}
	return []feed{{path, false}}
}

// watchAdd asks for a watch of type typ on path.
type watchAdd struct {
	typ  watchType
	path string
}

// watchTable is one connection's watches (ZooKeeper keeps watches per
// connection; a reconnecting client re-registers them with setWatches).
// It is not safe for concurrent use; the connection's mu guards it.
//
// For example, after getData("/a", watch) at revision 7 and
// getChildren("/", watch) at revision 8 the table holds data /a@7 and
// child /@8, needing the feeds /a (key), / (key) and / (below). A create of
// /a/b at revision 9 fires nothing (nobody watches /a's children); a
// delete of /a at revision 10 fires NodeDeleted /a (removing data /a) and
// NodeChildrenChanged / (removing child /), after which no watch needs a
// feed: all three are returned as dropped.
type watchTable struct {
	m    [numWatchTypes]map[string]int64 // path -> revision the watch was set at
	n    int                             // watches in m
	refs map[feed]int                    // watches needing each feed
}

func newWatchTable() *watchTable {
	t := &watchTable{refs: map[feed]int{}}
	for i := range t.m {
		t.m[i] = map[string]int64{}
	}
	return t
}

// len returns the number of watches.
func (t *watchTable) len() int { return t.n }

// has reports whether there is a watch of type typ on path.
func (t *watchTable) has(typ watchType, path string) bool {
	_, ok := t.m[typ][path]
	return ok
}

// add sets a watch at revision rev (it fires for changes after rev only),
// replacing one of the same type and path, and returns the feeds no watch
// needed before.
func (t *watchTable) add(w watchAdd, rev int64) (added []feed) {
	if _, ok := t.m[w.typ][w.path]; !ok {
		t.n++
		for _, f := range w.typ.feeds(w.path) {
			if t.refs[f]++; t.refs[f] == 1 {
				added = append(added, f)
			}
		}
	}
	t.m[w.typ][w.path] = rev
	return added
}

// remove removes the watch of type typ on path, if any, and returns the
// feeds no watch needs any longer.
func (t *watchTable) remove(typ watchType, path string) (dropped []feed, ok bool) {
	if _, ok = t.m[typ][path]; !ok {
		return nil, false
	}
	delete(t.m[typ], path)
	t.n--
	for _, f := range typ.feeds(path) {
		if t.refs[f]--; t.refs[f] == 0 {
			delete(t.refs, f)
			dropped = append(dropped, f)
		}
	}
	return dropped, true
}

// needs reports whether some watch needs feed f.
func (t *watchTable) needs(f feed) bool { return t.refs[f] > 0 }

// changeKind is what an applied event did to a znode.
type changeKind uint8

const (
	nodeCreated changeKind = iota
	nodeChanged
	nodeDeleted
)

// change is one applied change of a znode, as the hub reports it.
type change struct {
	path string
	rev  int64
	kind changeKind
}

// changeOf reads a hub event. The root always exists, so a write or
// delete of its key changes its data.
func changeOf(ev *mvccpb.Event) change {
	ch := change{path: string(ev.Kv.Key), rev: ev.Kv.ModRevision, kind: nodeChanged}
	switch {
	case ch.path == "/":
	case ev.Type == mvccpb.DELETE:
		ch.kind = nodeDeleted
	case ev.Kv.Version == 1:
		ch.kind = nodeCreated
	}
	return ch
}

// notification is one WatcherEvent to send.
type notification struct {
	typ  jute.EventType
	path string
}

// ownEvents maps a change to the event its node's own watches get.
var ownEvents = [...]jute.EventType{
	nodeCreated: jute.EventNodeCreated,
	nodeChanged: jute.EventNodeDataChanged,
	nodeDeleted: jute.EventNodeDeleted,
}

// ownTypes lists the one-shot watches on the changed node that a change
// fires (ZooKeeper's DataTree: data and exist watches for every change,
// child watches for the node's deletion).
var ownTypes = [...][]watchType{
	nodeCreated: {watchData, watchExist},
	nodeChanged: {watchData, watchExist},
	nodeDeleted: {watchData, watchExist, watchChild},
}

// fire appends to out the notifications ch triggers, in ZooKeeper's order
// (the node's own event, then its parent's NodeChildrenChanged), one per
// event type and path however many watches it fires. It removes the
// one-shot watches it fires and returns the feeds no watch needs any
// longer. A watch fires only for changes after the revision it was set
// at. Keys that are not valid paths are invisible to ZooKeeper clients.
func (t *watchTable) fire(ch change, out []notification) ([]notification, []feed) {
	if !znode.ValidPath(ch.path) {
		return out, nil
	}
	var dropped []feed
	hit := func(typ watchType, path string) bool {
		rev, ok := t.m[typ][path]
		if !ok || rev >= ch.rev {
			return false
		}
		if typ.oneShot() {
			d, _ := t.remove(typ, path)
			dropped = append(dropped, d...)
		}
		return true
	}
	fired := false
	for _, typ := range ownTypes[ch.kind] {
		fired = hit(typ, ch.path) || fired
	}
	fired = hit(watchPersistent, ch.path) || fired
	fired = t.recursiveHit(ch) || fired
	if fired {
		out = append(out, notification{ownEvents[ch.kind], ch.path})
	}
	if ch.kind != nodeChanged {
		parent := parentPath(ch.path)
		child := hit(watchChild, parent)
		if hit(watchPersistent, parent) || child {
			out = append(out, notification{jute.EventNodeChildrenChanged, parent})
		}
	}
	return out, dropped
}

// recursiveHit reports whether a persistent recursive watch on ch's node
// or an ancestor fires for ch.
func (t *watchTable) recursiveHit(ch change) bool {
	m := t.m[watchRecursive]
	if len(m) == 0 {
		return false
	}
	for p := ch.path; ; p = parentPath(p) {
		if rev, ok := m[p]; ok && rev < ch.rev {
			return true
		}
		if p == "/" {
			return false
		}
	}
}

// parentPath returns the parent of a valid path other than the root.
func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}
