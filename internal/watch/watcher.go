package watch

import (
	"bytes"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// AllWatchers is the watch ID of a stream-wide progress response.
const AllWatchers = -1

// Request asks a Stream for a watcher.
type Request struct {
	// ID is the watcher's ID on its stream; 0 lets the stream choose one.
	ID int64
	// Key and End are the watched range, with mvcc's rules: an empty End
	// means the single Key, End "\x00" every key >= Key. The hub keeps both
	// slices; the caller must not modify them afterwards.
	Key, End []byte
	// StartRev is the first revision to report; 0 means the first revision
	// after the one in the created response. An old StartRev replays
	// history, a future one waits for it.
	StartRev int64
	// PrevKV asks for each event's previous version; without it events
	// carry no PrevKv.
	PrevKV bool
	// NoPut and NoDelete drop PUT and DELETE events.
	NoPut, NoDelete bool
	// ProgressNotify asks for a progress response on every ProgressTick
	// after which the watcher was synced and had nothing sent.
	ProgressNotify bool
	// Fragment lets the consumer split this watcher's large responses
	// (etcd's fragment flag); the hub only passes it on in Response.
	Fragment bool
}

// Response is one message for the consumer of a Stream. Exactly one kind
// applies: created (Created, or Created and Canceled with CancelReason for
// a rejected request, WatchID -1), cancelled (Canceled), compacted
// (CompactRevision and Canceled), events (Events), or progress (none of
// these; WatchID AllWatchers for a stream-wide one).
type Response struct {
	WatchID int64
	// Revision is the header revision. For a progress response every
	// later event of the watcher (of every watcher, for AllWatchers) has a
	// higher revision; for an events response it is at least the last
	// event's revision.
	Revision int64
	// Events are whole revisions, oldest first. The slice and the events
	// are shared: read-only, and the slice is reused after the next call
	// to Next.
	Events []*mvccpb.Event
	// CompactRevision is set when the watcher needed compacted history:
	// the lowest revision a new watcher could start at.
	CompactRevision int64
	Created         bool
	Canceled        bool
	CancelReason    string
	// Fragment is the watcher's Request.Fragment.
	Fragment bool
}

// state is where a watcher is in its life. It is written with both the
// hub's and the stream's lock held.
type state uint8

const (
	synced    state = iota // in the hub's index; Notify feeds it
	unsynced               // in the hub's unsynced set; the sync loop feeds it
	compacted              // its final response is pending or sent; still holds its ID
	cancelled              // gone from the stream
)

// watcher is one watch on a stream.
type watcher struct {
	id                      int64
	s                       *Stream
	key, end                []byte
	prevKV, noPut, noDelete bool
	progressNotify          bool
	fragment                bool

	state state // written with both locks held

	// Guarded by the hub's mu:
	next    int64           // unsynced: first revision not buffered; synced: start revision
	pos     int             // position in the index slice holding it
	mark    int64           // revision of the Notify that last matched it
	matched []*mvccpb.Event // that Notify's events for it

	// Guarded by the stream's mu:
	buf        []*mvccpb.Event // events not yet taken by Next, whole revisions
	spare      []*mvccpb.Event // the slice the last Next handed out, reused next time
	through    int64           // buf is complete up to this revision
	queued     bool            // in the stream's ready list
	final      *Response       // compaction response, sent after buf
	progress   int64           // revision of a due progress response; 0 for none
	sentEvents bool            // events went out since the last ProgressTick
}

// contains reports whether key is in the watcher's range.
func (w *watcher) contains(key []byte) bool {
	switch {
	case len(w.end) == 0:
		return bytes.Equal(key, w.key)
	case len(w.end) == 1 && w.end[0] == 0:
		return bytes.Compare(key, w.key) >= 0
	}
	return bytes.Compare(key, w.key) >= 0 && bytes.Compare(key, w.end) < 0
}

// wants reports whether the watcher's filters let ev through.
func (w *watcher) wants(ev *mvccpb.Event) bool {
	if ev.Type == mvccpb.PUT {
		return !w.noPut
	}
	return !w.noDelete
}

// index finds the synced watchers interested in a key: single-key
// watchers by map lookup, range watchers by a scan.
type index struct {
	keys   map[string][]*watcher
	ranges []*watcher
}

func newIndex() index { return index{keys: map[string][]*watcher{}} }

func (x *index) add(w *watcher) {
	if len(w.end) == 0 {
		k := string(w.key)
		w.pos = len(x.keys[k])
		x.keys[k] = append(x.keys[k], w)
		return
	}
	w.pos = len(x.ranges)
	x.ranges = append(x.ranges, w)
}

func (x *index) remove(w *watcher) {
	if len(w.end) == 0 {
		k := string(w.key)
		ws := removeAt(x.keys[k], w.pos)
		if len(ws) == 0 {
			delete(x.keys, k)
		} else {
			x.keys[k] = ws
		}
		return
	}
	x.ranges = removeAt(x.ranges, w.pos)
}

// removeAt removes ws[i] by moving the last watcher into its place.
func removeAt(ws []*watcher, i int) []*watcher {
	last := len(ws) - 1
	ws[i] = ws[last]
	ws[i].pos = i
	ws[last] = nil
	return ws[:last]
}
