// Package watch is the watch hub: applied changes come in, one ordered
// stream of responses per client stream goes out, and watchers that start
// in the past or fall behind are caught up from the store's history.
//
// # Data flow
//
// The apply goroutine calls Hub.Notify after every write transaction with
// the transaction's revision and events. Notify hands each event to every
// synced watcher whose range holds its key, appending to the watcher's
// bounded buffer, and never blocks: a watcher whose buffer cannot take a
// revision's events becomes unsynced, and Notify forgets it. The hub's one
// goroutine, the sync loop, reads an unsynced watcher's missing revisions
// from the store (Store.Events, at most Config.CatchUpRevs revisions and
// about as many events as the buffer has room for at a time) and, once the
// watcher has every revision up to the last one notified, makes it synced
// again. A watcher created with an old start revision begins unsynced. If
// the history it needs was compacted, it gets a response with
// CompactRevision set and is cancelled: it never silently skips a change.
//
// A Stream multiplexes watchers for one consumer (one gRPC Watch stream).
// The consumer calls Stream.Next, which hands over, in this order: control
// responses (created, cancelled, rejected) in request order, then for each
// watcher with something pending its buffered events as one response
// (whole revisions, oldest first), its compaction response and its
// progress notification, then the stream-wide progress response.
//
// # Guarantees
//
// Every watcher sees every change in its range from its start revision on
// exactly once, in revision order, and within a revision in the order the
// transaction made them; a revision's events are never split across
// responses. A watcher's buffer holds at most Config.BufferEvents events,
// except that one revision is never split: a revision with more matching
// events than that is buffered alone. So a consumer that stops reading
// costs at most that much memory per watcher, plus what it took from its
// last Next call; it is caught up from history when it reads again.
//
// # Concurrency
//
// Notify and Resync are called by the apply goroutine, in revision order.
// Stream methods may be called from any goroutine; Next by one consumer at
// a time. Two locks: Hub.mu guards the hub's indexes and every watcher's
// sync state, Stream.mu guards a stream's queues and its watchers'
// buffers. Lock order: Hub.mu before Stream.mu; Next takes only Stream.mu,
// so a consumer never waits for a fan-out to finish. Fields written with
// both held may be read with either.
//
// # Goroutines
//
// New starts one: the sync loop (Hub.syncLoop), stopped and waited for by
// Close. The package reads no clock: periodic progress notification is
// driven from outside through Stream.ProgressTick.
package watch
