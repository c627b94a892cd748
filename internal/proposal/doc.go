// Package proposal matches replicated commands with the callers waiting for
// their results.
//
// A write is propose-and-wait: the caller takes a fresh ID from an IDGen,
// registers it with Wait, proposes the command carrying that ID through
// raft, and waits on the returned channel, its context or shutdown. The
// apply goroutine calls Trigger with the same ID once the command is
// applied on this member. Because every member applies every entry, a write
// proposed on a follower (and forwarded to the leader by raft) completes on
// that follower as soon as it applies the entry.
package proposal
