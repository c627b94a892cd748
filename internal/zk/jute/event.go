package jute

// EventType is what a WatcherEvent reports (Watcher.Event.EventType).
type EventType int32

// The event types.
const (
	EventNone                   EventType = -1 // a session state change
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

var eventNames = map[EventType]string{
	EventNone: "None", EventNodeCreated: "NodeCreated", EventNodeDeleted: "NodeDeleted",
	EventNodeDataChanged: "NodeDataChanged", EventNodeChildrenChanged: "NodeChildrenChanged",
	EventDataWatchRemoved: "DataWatchRemoved", EventChildWatchRemoved: "ChildWatchRemoved",
	EventPersistentWatchRemoved: "PersistentWatchRemoved",
}

func (t EventType) String() string { return enumString(eventNames, t, "EventType") }

// KeeperState is a session state as a WatcherEvent reports it
// (Watcher.Event.KeeperState).
type KeeperState int32

// The keeper states.
const (
	StateUnknown           KeeperState = -1
	StateDisconnected      KeeperState = 0
	StateNoSyncConnected   KeeperState = 1
	StateSyncConnected     KeeperState = 3
	StateAuthFailed        KeeperState = 4
	StateConnectedReadOnly KeeperState = 5
	StateSaslAuthenticated KeeperState = 6
	StateClosed            KeeperState = 7
	StateExpired           KeeperState = -112
)

var stateNames = map[KeeperState]string{
	StateUnknown: "Unknown", StateDisconnected: "Disconnected", StateNoSyncConnected: "NoSyncConnected",
	StateSyncConnected: "SyncConnected", StateAuthFailed: "AuthFailed",
	StateConnectedReadOnly: "ConnectedReadOnly", StateSaslAuthenticated: "SaslAuthenticated",
	StateClosed: "Closed", StateExpired: "Expired",
}

func (s KeeperState) String() string { return enumString(stateNames, s, "KeeperState") }

// WatcherEvent is the body of a notification frame, whose ReplyHeader has
// Xid XidNotification.
type WatcherEvent struct {
	Type  EventType
	State KeeperState
	Path  string
}

// Append implements Record.
func (e *WatcherEvent) Append(b []byte) []byte {
	return appendString(appendInt32(appendInt32(b, int32(e.Type)), int32(e.State)), e.Path)
}

func (e *WatcherEvent) decode(d *decoder) {
	e.Type = EventType(d.int32("type"))
	e.State = KeeperState(d.int32("state"))
	e.Path = d.string("path")
}
