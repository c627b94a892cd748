// Package jute is the wire codec of ZooKeeper's client protocol (3.5 to
// 3.9): the jute binary encoding of the records in zookeeper.jute, the
// length-prefixed framing, and the protocol's constants (opcodes, error
// codes, create modes, permissions, watcher and event types, session
// states, special xids). It is pure: no network, no goroutines, no clock.
//
// # Encoding
//
// int is a 4-byte and long an 8-byte big-endian two's-complement integer;
// boolean is one byte (any non-zero byte decodes as true); buffer and
// ustring are an int length and that many bytes, length -1 meaning null;
// vector is an int count (-1: null) and the elements; a record is its
// fields in order, with no tags or padding. A frame is an int length and
// that many bytes. Worked examples are in the tests and on MultiRequest.
//
// Null maps to Go as follows. A null buffer decodes as a nil slice and a
// nil slice encodes as null, so null data survives a round trip (zkCli
// prints it as "null"); an empty buffer decodes as a non-nil empty slice.
// A null ustring decodes as "". Null and empty vectors both decode as nil,
// and every vector is encoded with its count, nil as 0: Java clients
// iterate returned lists without checking for null.
//
// # A connection
//
// A server reads frames with a FrameReader. The first frame is a
// ConnectRequest (Decode into it) and is answered by AppendFrame of a
// ConnectResponse. Every later frame is a RequestHeader and a body: take
// them apart with CutRequestHeader and DecodeRequest, which returns one Go
// type per opcode (*GetDataRequest, *MultiRequest, ...; a type switch
// tells them apart). Answer with AppendReply(buf, ReplyHeader{...}, resp),
// which appends a whole frame to a buffer the caller reuses; watch events
// go out the same way with Xid XidNotification and a *WatcherEvent.
//
// # Limits and errors
//
// FrameReader refuses a length prefix that is negative or above its
// maximum (ZooKeeper's jute.maxbuffer, DefaultMaxBuffer = 0xfffff by
// default) with a *FrameSizeError, before reading or allocating the body;
// ZooKeeper closes the connection then. Inside a frame every length and
// count is checked against the bytes left before anything is allocated,
// so decoding never allocates more than a small multiple of its input and
// never panics, whatever the input.
//
// A body that cannot be decoded gives a *DecodeError naming the record,
// the field path (e.g. "CreateRequest.acl[1].id.scheme") and the byte
// offset; it wraps ErrTruncated, ErrLength or ErrMultiOp. ZooKeeper answers
// such a request with MARSHALLINGERROR. An opcode DecodeRequest does not
// serve gives an *UnknownOpError (ErrUnknownOp), which ZooKeeper answers
// with UNIMPLEMENTED; both are answers, not reasons to drop the
// connection. Bytes after a record's last field are ignored, as
// ZooKeeper's server ignores them; that is also how the optional trailing
// readOnly flag of the handshake records is read (see ConnectRequest).
//
// # Ownership
//
// Decoded records never alias their input: strings and buffers are
// copied, so a FrameReader's buffer can be reused as soon as the frame is
// decoded. Encoding appends to the caller's slice and keeps nothing.
// Nothing here is safe for concurrent use except the package functions
// and distinct values.
package jute
