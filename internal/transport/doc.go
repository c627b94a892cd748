// Package transport carries raft messages between the members of a Concord
// cluster over TCP, and is the seam where tests inject network faults.
//
// # Data path
//
// The raft node calls Send after each Ready. Send asks Faults (if any) for a
// verdict and puts each message on its peer's bounded queue; it never waits
// for the network. Each peer has one writer goroutine that owns the single
// outbound connection to that peer: it takes everything queued, encodes it
// into one buffer and writes it with one call, so a burst of messages costs
// one syscall rather than one each. On the receiving side, Serve accepts
// connections and runs one reader goroutine per stream, which hands each
// message to Raft.Process in order. A stream is one-way; a pair of members
// talks over two connections, each dialled by its sender.
//
// # Wire format
//
// A stream opens with a 29-byte hello from the dialling member, integers
// big-endian:
//
//	offset  size  field
//	0       4     magic "CNCD"
//	4       1     protocol version, 1
//	5       8     cluster ID
//	13      8     sender's member ID
//	21      8     receiver's member ID, as the sender believes
//
// The accepting member answers with one byte: 0 accepted, 1 cluster ID
// mismatch, 2 addressed to another member, 3 bad hello (see replyErrors). On
// a rejection both sides log an error and the connection is closed; the
// sender treats the peer as unreachable and retries with backoff.
//
// After the reply, the sender writes frames until it closes the stream. A
// frame is a 4-byte big-endian length n followed by n bytes of
// raftpb.Message in protobuf encoding; n may not exceed Config.MaxFrameSize
// on either side. For example a heartbeat from member 1 to member 2 in term
// 3 with commit 7 is 20 bytes of protobuf, so its frame is
//
//	00 00 00 14  08 08 10 02 18 01 20 03 28 00 30 00 40 07 50 00 58 00 68 00
//	length 20    type=8 (MsgHeartbeat) to=2 from=1 term=3 ... commit=7 ...
//
// A receiver that reads a length over its limit closes that stream, and only
// that one, without reading the body.
//
// # Failures
//
// A writer connects when it has something to send. If connecting, the
// handshake or a write fails, it reports Raft.ReportUnreachable, drops the
// messages it held (raft retransmits what matters) and waits 50ms, doubling
// to at most 1s, before the next attempt. Every MsgSnap ends in exactly one
// Raft.ReportSnapshot: SnapshotFinish when its write completed,
// SnapshotFailure when it was dropped anywhere.
//
// # Goroutines
//
// Every goroutine is started through Transport.wg and stopped by Close,
// which cancels the Transport's context, closes its listeners and waits:
//
//   - reporter.run: one per Transport; makes the reports Send owes.
//   - writer.run: one per peer; stopped by RemovePeer or Close, which also
//     close its connection to unblock a write.
//   - serveStream: one per accepted connection; Close closes the
//     connection and cancels the context given to Raft.Process.
//
// Serve itself runs on its caller's goroutine and returns after Close.
package transport
