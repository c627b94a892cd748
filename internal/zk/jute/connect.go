package jute

// ConnectRequest is a connection's first frame; it has no RequestHeader.
type ConnectRequest struct {
	ProtocolVersion int32
	LastZxidSeen    int64 // the highest zxid the client has seen
	TimeOut         int32 // requested session timeout, ms
	SessionID       int64 // 0 for a new session
	Passwd          []byte
	ReadOnly        bool
	// HasReadOnly reports whether the frame carried the trailing readOnly
	// flag. Clients older than 3.4 (and go-zookeeper) omit it; ZooKeeper
	// answers such a client with a ConnectResponse without it.
	HasReadOnly bool
}

// Append implements Record. It writes ReadOnly only if HasReadOnly.
func (r *ConnectRequest) Append(b []byte) []byte {
	b = appendInt32(b, r.ProtocolVersion)
	b = appendInt64(b, r.LastZxidSeen)
	b = appendInt32(b, r.TimeOut)
	b = appendInt64(b, r.SessionID)
	b = appendBuffer(b, r.Passwd)
	return appendReadOnly(b, r.HasReadOnly, r.ReadOnly)
}

func (r *ConnectRequest) decode(d *decoder) {
	r.ProtocolVersion = d.int32("protocolVersion")
	r.LastZxidSeen = d.int64("lastZxidSeen")
	r.TimeOut = d.int32("timeOut")
	r.SessionID = d.int64("sessionId")
	r.Passwd = d.buffer("passwd")
	r.HasReadOnly, r.ReadOnly = d.readOnly()
}

// ConnectResponse answers a ConnectRequest; it has no ReplyHeader. A
// TimeOut of 0 tells the client its session is expired or invalid.
type ConnectResponse struct {
	ProtocolVersion int32
	TimeOut         int32 // negotiated session timeout, ms
	SessionID       int64
	Passwd          []byte
	ReadOnly        bool
	// HasReadOnly says whether to send the readOnly flag: set it to the
	// request's HasReadOnly, as ZooKeeper does.
	HasReadOnly bool
}

// Append implements Record. It writes ReadOnly only if HasReadOnly.
func (r *ConnectResponse) Append(b []byte) []byte {
	b = appendInt32(b, r.ProtocolVersion)
	b = appendInt32(b, r.TimeOut)
	b = appendInt64(b, r.SessionID)
	b = appendBuffer(b, r.Passwd)
	return appendReadOnly(b, r.HasReadOnly, r.ReadOnly)
}

func (r *ConnectResponse) decode(d *decoder) {
	r.ProtocolVersion = d.int32("protocolVersion")
	r.TimeOut = d.int32("timeOut")
	r.SessionID = d.int64("sessionId")
	r.Passwd = d.buffer("passwd")
	r.HasReadOnly, r.ReadOnly = d.readOnly()
}

func appendReadOnly(b []byte, present, readOnly bool) []byte {
	if !present {
		return b
	}
	return appendBool(b, readOnly)
}

// readOnly reads the optional trailing readOnly flag of the handshake
// records: present if any input is left.
func (d *decoder) readOnly() (present, readOnly bool) {
	if d.err != nil || d.left() == 0 {
		return false, false
	}
	return true, d.bool("readOnly")
}
