package jute

// Request is a decoded request body. Each opcode DecodeRequest serves has
// its own Go type, so a type switch tells the operations apart; Op returns
// that opcode (also the MultiHeader type of a multi sub-operation).
type Request interface {
	Record
	Op() OpCode
}

// PathRequest is the layout {ustring path} of several requests.
type PathRequest struct {
	Path string
}

// Append implements Record.
func (r *PathRequest) Append(b []byte) []byte { return appendString(b, r.Path) }

func (r *PathRequest) decode(d *decoder) { r.Path = d.string("path") }

// PathWatchRequest is the layout {ustring path; boolean watch} of the
// reads that may leave a watch.
type PathWatchRequest struct {
	Path  string
	Watch bool
}

// Append implements Record.
func (r *PathWatchRequest) Append(b []byte) []byte {
	return appendBool(appendString(b, r.Path), r.Watch)
}

func (r *PathWatchRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Watch = d.bool("watch")
}

// PathVersionRequest is the layout {ustring path; int version} of delete
// and check. Version -1 matches any version.
type PathVersionRequest struct {
	Path    string
	Version int32
}

// Append implements Record.
func (r *PathVersionRequest) Append(b []byte) []byte {
	return appendInt32(appendString(b, r.Path), r.Version)
}

func (r *PathVersionRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Version = d.int32("version")
}

// The requests of one path.
type (
	GetACLRequest               struct{ PathRequest } // getACL
	SyncRequest                 struct{ PathRequest } // sync
	GetAllChildrenNumberRequest struct{ PathRequest } // getAllChildrenNumber
	// GetEphemeralsRequest lists the session's ephemerals under Path
	// (jute's prefixPath).
	GetEphemeralsRequest struct{ PathRequest }
	// DeleteContainerRequest encodes its path as a jute buffer, which has
	// the same bytes as a ustring.
	DeleteContainerRequest struct{ PathRequest }
)

// The reads that may leave a watch.
type (
	ExistsRequest       struct{ PathWatchRequest } // exists
	GetDataRequest      struct{ PathWatchRequest } // getData
	GetChildrenRequest  struct{ PathWatchRequest } // getChildren
	GetChildren2Request struct{ PathWatchRequest } // getChildren2
)

// The conditional requests of one path.
type (
	DeleteRequest       struct{ PathVersionRequest } // delete
	CheckVersionRequest struct{ PathVersionRequest } // check
)

// The requests without a body.
type (
	PingRequest         struct{ empty } // ping, sent with XidPing
	CloseSessionRequest struct{ empty } // closeSession
	WhoAmIRequest       struct{ empty } // whoAmI
)

// Op implements Request.
func (*GetACLRequest) Op() OpCode { return OpGetACL }

// Op implements Request.
func (*SyncRequest) Op() OpCode { return OpSync }

// Op implements Request.
func (*GetAllChildrenNumberRequest) Op() OpCode { return OpGetAllChildrenNumber }

// Op implements Request.
func (*GetEphemeralsRequest) Op() OpCode { return OpGetEphemerals }

// Op implements Request.
func (*DeleteContainerRequest) Op() OpCode { return OpDeleteContainer }

// Op implements Request.
func (*ExistsRequest) Op() OpCode { return OpExists }

// Op implements Request.
func (*GetDataRequest) Op() OpCode { return OpGetData }

// Op implements Request.
func (*GetChildrenRequest) Op() OpCode { return OpGetChildren }

// Op implements Request.
func (*GetChildren2Request) Op() OpCode { return OpGetChildren2 }

// Op implements Request.
func (*DeleteRequest) Op() OpCode { return OpDelete }

// Op implements Request.
func (*CheckVersionRequest) Op() OpCode { return OpCheck }

// Op implements Request.
func (*PingRequest) Op() OpCode { return OpPing }

// Op implements Request.
func (*CloseSessionRequest) Op() OpCode { return OpCloseSession }

// Op implements Request.
func (*WhoAmIRequest) Op() OpCode { return OpWhoAmI }

// SetDataRequest replaces a node's data if its version matches (-1: any).
type SetDataRequest struct {
	Path    string
	Data    []byte
	Version int32
}

// Op implements Request.
func (*SetDataRequest) Op() OpCode { return OpSetData }

// Append implements Record.
func (r *SetDataRequest) Append(b []byte) []byte {
	return appendInt32(appendBuffer(appendString(b, r.Path), r.Data), r.Version)
}

func (r *SetDataRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Data = d.buffer("data")
	r.Version = d.int32("version")
}

// SetACLRequest replaces a node's ACL if its aversion matches (-1: any).
type SetACLRequest struct {
	Path    string
	ACL     []ACL
	Version int32
}

// Op implements Request.
func (*SetACLRequest) Op() OpCode { return OpSetACL }

// Append implements Record.
func (r *SetACLRequest) Append(b []byte) []byte {
	return appendInt32(appendACLs(appendString(b, r.Path), r.ACL), r.Version)
}

func (r *SetACLRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.ACL = d.acls("acl")
	r.Version = d.int32("version")
}

// AuthPacket adds an identity to the session (opcode auth, XidAuth).
type AuthPacket struct {
	Type   int32 // unused by ZooKeeper; clients send 0
	Scheme string
	Auth   []byte // for digest: "user:password"
}

// Op implements Request.
func (*AuthPacket) Op() OpCode { return OpAuth }

// Append implements Record.
func (r *AuthPacket) Append(b []byte) []byte {
	return appendBuffer(appendString(appendInt32(b, r.Type), r.Scheme), r.Auth)
}

func (r *AuthPacket) decode(d *decoder) {
	r.Type = d.int32("type")
	r.Scheme = d.string("scheme")
	r.Auth = d.buffer("auth")
}
