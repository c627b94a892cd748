package zk

import (
	"context"

	"github.com/concordkv/concord/internal/watch"
	"github.com/concordkv/concord/internal/znode"
)

// Backend is the member as the ZooKeeper front end sees it
// (*server.ZooKeeper implements it). Every method may be called from any
// goroutine; the front end calls them from a connection's goroutines.
type Backend interface {
	// Write replicates r as one revision and waits until this member has
	// applied it, returning one result per op and the revision after it.
	// ZooKeeper's own errors are in the results; the error is a proposal
	// failure (timeout, no leader, stopped, too large) or ctx's.
	Write(ctx context.Context, r znode.Request) ([]znode.Result, int64, error)
	// Reader reads this member's current state.
	Reader() znode.Reader
	// Sync returns once this member has applied everything the leader had
	// committed when it was called (a ReadIndex round).
	Sync(ctx context.Context) error
	// OpenSession grants a session of timeoutMs and returns its ID and
	// password.
	OpenSession(ctx context.Context, timeoutMs int64) (id int64, password []byte, err error)
	// SessionPassword returns the password of session id (every member
	// computes the same one).
	SessionPassword(id int64) []byte
	// KeepAlive renews session id; lease.ErrNotFound means it expired.
	KeepAlive(ctx context.Context, id int64) error
	// CloseSession ends session id, deleting its ephemeral nodes;
	// lease.ErrNotFound if it had already ended.
	CloseSession(ctx context.Context, id int64) error
	// SessionAlive reports whether session id is in this member's lease
	// table.
	SessionAlive(id int64) bool
	// Hub is the watch hub fed with every applied change.
	Hub() *watch.Hub
}

// Member describes the member for the four-letter words.
type Member interface {
	// Status returns the member's role and numbers as of now.
	Status() MemberStatus
}

// MemberStatus is what srvr, stat and mntr report about the member.
type MemberStatus struct {
	// Mode is "leader", "follower" or "standalone" (a one-member cluster);
	// "" when the member knows no leader and serves no requests.
	Mode string
	// Members is the number of members.
	Members int
	// ID is the member's ID.
	ID uint64
	// DataDir is the member's data directory.
	DataDir string
}
