package zk

import (
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// addWatch sets a persistent or persistent-recursive watch; the node need
// not exist.
func (c *conn) addWatch(q *jute.AddWatchRequest) reply {
	typ := watchPersistent
	switch q.Mode {
	case jute.AddWatchPersistent:
	case jute.AddWatchPersistentRecursive:
		typ = watchRecursive
	default:
		return c.answer(errBadMode)
	}
	if !znode.ValidPath(q.Path) {
		return c.answer(znode.ErrBadArguments)
	}
	at, err := c.readWith(typ.feeds(q.Path), func(znode.Reader) error { return nil })
	if err != nil {
		return c.answer(err)
	}
	return reply{zxid: at, body: &jute.ErrorResponse{Err: jute.CodeOK}, watches: []watchAdd{{typ, q.Path}}}
}

// watcherTypes maps a WatcherType to the watches it names. ZooKeeper keeps
// exist watches with the data watches.
func watcherTypes(t jute.WatcherType) []watchType {
	switch t {
	case jute.WatcherChildren:
		return []watchType{watchChild}
	case jute.WatcherData:
		return []watchType{watchData, watchExist}
	case jute.WatcherAny:
		return []watchType{watchData, watchExist, watchChild, watchPersistent, watchRecursive}
	case jute.WatcherPersistent:
		return []watchType{watchPersistent}
	case jute.WatcherPersistentRecursive:
		return []watchType{watchRecursive}
	}
	return nil
}

// removeWatches removes the connection's watches of a type on a path
// (checkWatches only checks there is one): NOWATCHER when there is none.
// The client tells its own watchers they were removed.
func (c *conn) removeWatches(q *jute.WatchesRequest, remove bool) reply {
	types := watcherTypes(q.Type)
	if types == nil {
		return c.answer(errBadMode)
	}
	c.mu.Lock()
	found := false
	for _, typ := range types {
		if !remove {
			found = found || c.w.table.has(typ, q.Path)
			continue
		}
		dropped, ok := c.w.table.remove(typ, q.Path)
		found = found || ok
		for _, f := range dropped {
			c.w.garbage[f] = true
		}
	}
	c.mu.Unlock()
	if !found {
		return c.answer(errNoWatcher)
	}
	return c.answer(nil)
}

// setWatches re-registers a reconnecting client's watches, as ZooKeeper's
// DataTree.setWatches does: a data watch whose node is gone fires
// NodeDeleted and one whose node changed after relativeZxid fires
// NodeDataChanged; an exist watch whose node now exists fires
// NodeCreated; a child watch fires NodeDeleted or, when a child changed
// after relativeZxid, NodeChildrenChanged. The others, and the persistent
// ones, are set again. The notifications precede the reply.
func (c *conn) setWatches(q *jute.SetWatches, persistent, recursive []string) reply {
	var needs []feed
	lists := []struct {
		typ   watchType
		paths []string
	}{{watchData, q.DataWatches}, {watchExist, q.ExistWatches}, {watchChild, q.ChildWatches},
		{watchPersistent, persistent}, {watchRecursive, recursive}}
	for _, l := range lists {
		for _, p := range l.paths {
			needs = append(needs, watchNeeds(true, l.typ, p)...)
		}
	}
	var notes []notification
	var adds []watchAdd
	at, err := c.readWith(needs, func(rd znode.Reader) error {
		notes, adds = notes[:0], adds[:0]
		for _, l := range lists {
			for _, p := range l.paths {
				st, err := rd.Exists(p)
				if ev, fires := resetFires(l.typ, st, err, q.RelativeZxid); fires {
					notes = append(notes, notification{ev, p, -1})
				} else if znode.ValidPath(p) {
					adds = append(adds, watchAdd{typ: l.typ, path: p})
				}
			}
		}
		return nil
	})
	if err != nil {
		return c.answer(err)
	}
	return reply{zxid: at, notes: notes, watches: adds}
}

// resetFires decides whether a re-registered watch of type typ fires at
// once, given its node's Stat (err: the node is missing) and the client's
// last zxid.
func resetFires(typ watchType, st znode.Stat, err error, relativeZxid int64) (jute.EventType, bool) {
	switch typ {
	case watchData:
		if err != nil {
			return jute.EventNodeDeleted, true
		}
		return jute.EventNodeDataChanged, st.Mzxid > relativeZxid
	case watchExist:
		return jute.EventNodeCreated, err == nil
	case watchChild:
		if err != nil {
			return jute.EventNodeDeleted, true
		}
		return jute.EventNodeChildrenChanged, st.Pzxid > relativeZxid
	}
	return 0, false
}
