package znode

import "go.etcd.io/etcd/api/v3/mvccpb"

// EventType is a ZooKeeper watch event type (Watcher.Event.EventType).
type EventType int32

const (
	NodeCreated         EventType = 1
	NodeDeleted         EventType = 2
	NodeDataChanged     EventType = 3
	NodeChildrenChanged EventType = 4
)

// WatchEvent is one ZooKeeper watch event: what happened to which path.
type WatchEvent struct {
	Type EventType
	Path string
}

// WatchEvents appends to dst the ZooKeeper events that one store event
// triggers, whichever API made the change, and returns the extended slice:
//
//	PUT, CreateRevision == ModRevision  NodeCreated(path), NodeChildrenChanged(parent)
//	PUT, otherwise                      NodeDataChanged(path)
//	DELETE                              NodeDeleted(path), NodeChildrenChanged(parent)
//
// The root always exists, so a change of the key "/" is NodeDataChanged
// of "/". A key that is not visible (not a valid path, or in the reserved
// /zookeeper subtree) triggers nothing. The parent's
// event is reported even when the parent does not exist (an etcd key under
// a missing parent): no watch can be set on it then, so nothing fires.
//
// Events replayed from history (mvcc.Store.Events) merge the writes one
// transaction made to one key: a multi that deletes and recreates a node
// replays as a single PUT with CreateRevision == ModRevision, so a watcher
// caught up from history sees NodeCreated without the NodeDeleted.
func WatchEvents(dst []WatchEvent, ev *mvccpb.Event) []WatchEvent {
	path := string(ev.Kv.Key)
	if !visible(path) {
		return dst
	}
	if path == "/" {
		return append(dst, WatchEvent{NodeDataChanged, path})
	}
	t := NodeDeleted
	if ev.Type == mvccpb.PUT {
		if ev.Kv.CreateRevision != ev.Kv.ModRevision {
			return append(dst, WatchEvent{NodeDataChanged, path})
		}
		t = NodeCreated
	}
	parent, _ := splitPath(path)
	return append(dst, WatchEvent{t, path}, WatchEvent{NodeChildrenChanged, parent})
}
