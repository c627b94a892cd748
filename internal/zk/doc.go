// Package zk serves ZooKeeper's client protocol (3.5 to 3.9 clients:
// zkCli, Curator, go-zookeeper) over a member's keyspace: a znode is the
// etcd key of the same path (internal/znode), a session is a lease, a
// watch is fed by the same hub as etcd watches. The wire codec is
// internal/zk/jute; the member is reached through Backend.
//
// # A connection
//
// Server accepts connections (at most MaxClientCnxns per IP address). The
// first frame of a connection is a four-letter word (fourletter.go) or a
// ConnectRequest (handshake.go): a new session is a lease granted with the
// negotiated timeout; a reconnect names a session and its password, which
// any member can check, and is refused with timeout 0 (the client reports
// Expired) when the session is gone. A member that has not applied what
// the client has seen (lastZxidSeen) makes a ReadIndex round first, and
// closes the connection if that fails, so the client tries another.
//
// Then five goroutines serve it (conn.go):
//
//	reader (receive)  reads frames, answers pings at once, asks the keeper
//	                  to renew the session, slows a client down to its rate
//	                  (a token bucket), and queues requests (bounded: the
//	                  reader stops reading when the processor is behind)
//	processor         runs requests one at a time, in order: reads locally
//	                  from Backend.Reader (sequential consistency), writes
//	                  through Backend.Write (one revision each, multi
//	                  atomic), sync after a ReadIndex round
//	pump              reads the connection's watch.Stream and fires the
//	                  watches (watches.go), queueing notifications
//	writer            writes the outbound queue, in order, one flush per batch
//	keeper            renews the lease on traffic, notices expiry
//
// # Ordering
//
// Replies go out in request order, because one processor makes them.
// Every zxid a reply carries is a revision; a reply is queued only after
// every watch event of this connection up to that revision has been
// queued (drain, in pump.go), which is ZooKeeper's guarantee that a
// client sees a watch event before the data that triggered it, and which
// makes the client's last zxid a safe point to re-register its watches
// from after a reconnect (setWatches). The hub hands each feed's events
// in order but not across feeds, so the pump releases events in revision
// order up to the stream's progress revision. A request that sets watches
// starts their feeds before it reads and holds the pump back until its
// reply is queued, so no notification of a new watch precedes the reply
// that set it, and no change after the read is missed.
//
// # Locks
//
// conn.mu guards the connection's watches and feeds (watchState) and
// orders the queueing of frames that depend on them; it is taken before
// the queues' own locks and never held while waiting for the hub.
//
// # Errors
//
// errors.go is the one table from errors to ZooKeeper error codes. A
// malformed or oversized frame closes its connection, with a log line;
// an undecodable request body is answered MARSHALLINGERROR and an unknown
// opcode UNIMPLEMENTED, keeping the connection. When the member cannot
// serve a request (no leader, a timeout) the connection is closed, as
// ZooKeeper's servers drop their clients when they lose their quorum.
package zk
