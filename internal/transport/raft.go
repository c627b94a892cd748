package transport

import (
	"context"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Raft is the consumer of a Transport, implemented by the raft node.
//
// The Transport calls these methods only from goroutines it owns: one reader
// per inbound stream, one writer per peer and one reporter. It never calls
// them on the goroutine that calls Send, AddPeer, RemovePeer or Close, so an
// implementation may hand work to that goroutine. Calls may be concurrent
// with each other. Close waits for calls in progress to return, so no method
// may call Close or wait for the goroutine that does.
type Raft interface {
	// Process delivers a message received from a peer. Messages from one
	// peer's stream are delivered one at a time in the order that peer sent
	// them; streams from different peers are delivered concurrently. Process
	// may block while the node is busy, which holds back only that stream;
	// it must return promptly once ctx is cancelled, which happens when the
	// Transport closes. The message is the callee's. A non-nil error is
	// logged and the stream stays open.
	Process(ctx context.Context, m raftpb.Message) error

	// ReportUnreachable says that messages to peer id were lost: a
	// connection attempt or a write failed, or its queue overflowed. It is
	// repeated for every failed attempt while the peer stays down.
	ReportUnreachable(id uint64)

	// ReportSnapshot gives the outcome of a MsgSnap sent to peer id:
	// SnapshotFinish once the whole message has been written to the
	// connection (not that the peer has applied it), SnapshotFailure if it
	// was dropped for any reason. Every MsgSnap given to Send gets exactly one
	// report unless its peer is removed or the Transport is closed first.
	ReportSnapshot(id uint64, status raft.SnapshotStatus)
}
