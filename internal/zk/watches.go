package zk

import (
	"slices"
	"strings"

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
// /a/b at revision 9 (NodeCreated /a/b, NodeChildrenChanged /a) fires
// nothing; a delete of /a at revision 10 (NodeDeleted /a, which fires and
// removes data /a, and NodeChildrenChanged /, which fires and removes
// child /) leaves no watch needing a feed: each is returned as dropped.
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

// pendingEvent is a ZooKeeper event of an applied change, with its
// revision, taken from the hub and not yet released.
type pendingEvent struct {
	znode.WatchEvent
	rev int64
}

// notification is one WatcherEvent to send, in a frame carrying zxid (the
// event's revision; -1 for setWatches' immediate ones, as ZooKeeper's).
type notification struct {
	typ  jute.EventType
	path string
	zxid int64
}

// firedBy lists the one-shot watches on an event's path that the event
// fires, as ZooKeeper's DataTree triggers them: data and exist watches
// for the node's own events, child watches for its deletion and its
// children's changes.
var firedBy = map[znode.EventType][]watchType{
	znode.NodeCreated:         {watchData, watchExist},
	znode.NodeDataChanged:     {watchData, watchExist},
	znode.NodeDeleted:         {watchData, watchExist, watchChild},
	znode.NodeChildrenChanged: {watchChild},
}

// fire reports whether ev, of revision rev, fires some watch of this
// connection: a one-shot watch of firedBy, a persistent watch on its
// path, or (except for NodeChildrenChanged) a persistent recursive watch
// on its path or an ancestor. However many fire, the connection gets one
// notification. fire removes the one-shot watches it fires and returns
// the feeds no watch needs any longer. A watch fires only for changes
// after the revision it was set at.
func (t *watchTable) fire(ev znode.WatchEvent, rev int64) (fired bool, dropped []feed) {
	hit := func(typ watchType) bool {
		set, ok := t.m[typ][ev.Path]
		if !ok || set >= rev {
			return false
		}
		if typ.oneShot() {
			d, _ := t.remove(typ, ev.Path)
			dropped = append(dropped, d...)
		}
		return true
	}
	for _, typ := range firedBy[ev.Type] {
		fired = hit(typ) || fired
	}
	fired = hit(watchPersistent) || fired
	if ev.Type != znode.NodeChildrenChanged {
		fired = t.recursiveHit(ev.Path, rev) || fired
	}
	return fired, dropped
}

// fireAll fires the watches of events, in revision order, and returns
// their notifications and the feeds no watch needs any longer. Two feeds
// (a node's key and its parent's children) may both carry one event of a
// revision: it counts once.
func (t *watchTable) fireAll(events []pendingEvent) (notes []notification, dropped []feed) {
	for i, ev := range events {
		if slices.Contains(sameRev(events[:i], ev.rev), ev) {
			continue
		}
		fired, d := t.fire(ev.WatchEvent, ev.rev)
		dropped = append(dropped, d...)
		if fired {
			notes = append(notes, notification{jute.EventType(ev.Type), ev.Path, ev.rev})
		}
	}
	return notes, dropped
}

// sameRev returns the tail of events (sorted by revision) at revision rev.
func sameRev(events []pendingEvent, rev int64) []pendingEvent {
	i := len(events)
	for i > 0 && events[i-1].rev == rev {
		i--
	}
	return events[i:]
}

// recursiveHit reports whether a persistent recursive watch on path or
// an ancestor fires for a change at revision rev.
func (t *watchTable) recursiveHit(path string, rev int64) bool {
	m := t.m[watchRecursive]
	if len(m) == 0 {
		return false
	}
	for p := path; ; p = parentPath(p) {
		if set, ok := m[p]; ok && set < rev {
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
