package jute

// WatcherType selects the watches checkWatches and removeWatches act on
// (Watcher.WatcherType).
type WatcherType int32

// The watcher types.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

var watcherNames = map[WatcherType]string{
	WatcherChildren: "Children", WatcherData: "Data", WatcherAny: "Any",
	WatcherPersistent: "Persistent", WatcherPersistentRecursive: "PersistentRecursive",
}

func (t WatcherType) String() string { return enumString(watcherNames, t, "WatcherType") }

// AddWatchMode is the mode of an addWatch request (ZooDefs.AddWatchModes).
type AddWatchMode int32

// The addWatch modes.
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

var addWatchNames = map[AddWatchMode]string{
	AddWatchPersistent: "PERSISTENT", AddWatchPersistentRecursive: "PERSISTENT_RECURSIVE",
}

func (m AddWatchMode) String() string { return enumString(addWatchNames, m, "AddWatchMode") }

// AddWatchRequest sets a persistent watch (answered with an ErrorResponse
// holding CodeOK).
type AddWatchRequest struct {
	Path string
	Mode AddWatchMode
}

// Op implements Request.
func (*AddWatchRequest) Op() OpCode { return OpAddWatch }

// Append implements Record.
func (r *AddWatchRequest) Append(b []byte) []byte {
	return appendInt32(appendString(b, r.Path), int32(r.Mode))
}

func (r *AddWatchRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Mode = AddWatchMode(d.int32("mode"))
}

// WatchesRequest is the layout {ustring path; int type} of checkWatches
// and removeWatches (answered without a body, or with NOWATCHER).
type WatchesRequest struct {
	Path string
	Type WatcherType
}

// Append implements Record.
func (r *WatchesRequest) Append(b []byte) []byte {
	return appendInt32(appendString(b, r.Path), int32(r.Type))
}

func (r *WatchesRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Type = WatcherType(d.int32("type"))
}

// The watch-removal requests.
type (
	CheckWatchesRequest  struct{ WatchesRequest } // checkWatches
	RemoveWatchesRequest struct{ WatchesRequest } // removeWatches
)

// Op implements Request.
func (*CheckWatchesRequest) Op() OpCode { return OpCheckWatches }

// Op implements Request.
func (*RemoveWatchesRequest) Op() OpCode { return OpRemoveWatches }

// SetWatches re-registers a reconnecting client's one-shot watches; the
// server fires those whose node changed after RelativeZxid. The stock
// client sends it right after the handshake, in batches of about 128 KiB.
type SetWatches struct {
	RelativeZxid int64
	DataWatches  []string
	ExistWatches []string
	ChildWatches []string
}

// Op implements Request.
func (*SetWatches) Op() OpCode { return OpSetWatches }

// Append implements Record.
func (r *SetWatches) Append(b []byte) []byte {
	b = appendInt64(b, r.RelativeZxid)
	b = appendStrings(b, r.DataWatches)
	b = appendStrings(b, r.ExistWatches)
	return appendStrings(b, r.ChildWatches)
}

func (r *SetWatches) decode(d *decoder) {
	r.RelativeZxid = d.int64("relativeZxid")
	r.DataWatches = d.strings("dataWatches")
	r.ExistWatches = d.strings("existWatches")
	r.ChildWatches = d.strings("childWatches")
}

// SetWatches2 is SetWatches with the persistent watches (3.6+ clients).
type SetWatches2 struct {
	SetWatches
	PersistentWatches          []string
	PersistentRecursiveWatches []string
}

// Op implements Request.
func (*SetWatches2) Op() OpCode { return OpSetWatches2 }

// Append implements Record.
func (r *SetWatches2) Append(b []byte) []byte {
	b = r.SetWatches.Append(b)
	b = appendStrings(b, r.PersistentWatches)
	return appendStrings(b, r.PersistentRecursiveWatches)
}

func (r *SetWatches2) decode(d *decoder) {
	r.SetWatches.decode(d)
	r.PersistentWatches = d.strings("persistentWatches")
	r.PersistentRecursiveWatches = d.strings("persistentRecursiveWatches")
}
