package jute

// RequestHeaderLen is the encoded size of a RequestHeader.
const RequestHeaderLen = 8

// RequestHeader starts every request frame after the connect handshake.
type RequestHeader struct {
	Xid  int32 // the client's sequence number, or one of the special Xid values
	Type OpCode
}

// Append implements Record.
func (h *RequestHeader) Append(b []byte) []byte {
	return appendInt32(appendInt32(b, h.Xid), int32(h.Type))
}

func (h *RequestHeader) decode(d *decoder) {
	h.Xid = d.int32("xid")
	h.Type = OpCode(d.int32("type"))
}

// CutRequestHeader decodes the RequestHeader at the start of a request
// frame and returns it with the request body that follows it.
func CutRequestHeader(frame []byte) (RequestHeader, []byte, error) {
	var h RequestHeader
	// A direct call, not Decode: the decoder stays on the stack.
	d := decoder{b: frame}
	h.decode(&d)
	if d.err != nil {
		d.err.Record = "RequestHeader"
		return h, nil, d.err
	}
	return h, frame[RequestHeaderLen:], nil
}

// ReplyHeader starts every reply and notification frame after the connect
// handshake.
type ReplyHeader struct {
	Xid  int32 // the request's xid, or XidNotification for a WatcherEvent
	Zxid int64 // the last zxid the server has applied
	Err  Code  // CodeOK, or the error; most errors are sent without a body
}

// Append implements Record.
func (h *ReplyHeader) Append(b []byte) []byte {
	return appendInt32(appendInt64(appendInt32(b, h.Xid), h.Zxid), int32(h.Err))
}

func (h *ReplyHeader) decode(d *decoder) {
	h.Xid = d.int32("xid")
	h.Zxid = d.int64("zxid")
	h.Err = Code(d.int32("err"))
}

// MultiHeader precedes each operation or result in a multi or multiRead
// body; one with Done set ends the list.
type MultiHeader struct {
	Type OpCode // the operation, or OpError for a failed result
	Done bool
	Err  Code
}

// Append implements Record.
func (h *MultiHeader) Append(b []byte) []byte {
	return appendInt32(appendBool(appendInt32(b, int32(h.Type)), h.Done), int32(h.Err))
}

func (h *MultiHeader) decode(d *decoder) {
	h.Type = OpCode(d.int32("type"))
	h.Done = d.bool("done")
	h.Err = Code(d.int32("err"))
}

// multiDone is the header that ends a multi body.
var multiDone = MultiHeader{Type: -1, Done: true, Err: -1}
