package jute

// CreateMode is the flags field of a create request (CreateMode.java).
type CreateMode int32

// The create modes.
const (
	ModePersistent                  CreateMode = 0
	ModeEphemeral                   CreateMode = 1
	ModePersistentSequential        CreateMode = 2
	ModeEphemeralSequential         CreateMode = 3
	ModeContainer                   CreateMode = 4
	ModePersistentWithTTL           CreateMode = 5
	ModePersistentSequentialWithTTL CreateMode = 6
)

var modeNames = map[CreateMode]string{
	ModePersistent: "PERSISTENT", ModeEphemeral: "EPHEMERAL", ModePersistentSequential: "PERSISTENT_SEQUENTIAL",
	ModeEphemeralSequential: "EPHEMERAL_SEQUENTIAL", ModeContainer: "CONTAINER",
	ModePersistentWithTTL: "PERSISTENT_WITH_TTL", ModePersistentSequentialWithTTL: "PERSISTENT_SEQUENTIAL_WITH_TTL",
}

// Valid reports whether m is one of the modes; ZooKeeper answers others
// with BADARGUMENTS.
func (m CreateMode) Valid() bool { return m >= ModePersistent && m <= ModePersistentSequentialWithTTL }

// Ephemeral reports whether nodes of this mode die with their session.
func (m CreateMode) Ephemeral() bool { return m == ModeEphemeral || m == ModeEphemeralSequential }

// Sequential reports whether the server appends a sequence number.
func (m CreateMode) Sequential() bool {
	return m == ModePersistentSequential || m == ModeEphemeralSequential || m == ModePersistentSequentialWithTTL
}

// Container reports whether m is ModeContainer.
func (m CreateMode) Container() bool { return m == ModeContainer }

// TTL reports whether nodes of this mode expire after a TTL without change.
func (m CreateMode) TTL() bool {
	return m == ModePersistentWithTTL || m == ModePersistentSequentialWithTTL
}

// String returns the CreateMode.java name, e.g. "EPHEMERAL_SEQUENTIAL".
func (m CreateMode) String() string { return enumString(modeNames, m, "CreateMode") }

// CreateRequest is the body of create (answered with a PathResponse).
// Create2Request and CreateContainerRequest share its layout.
type CreateRequest struct {
	Path  string
	Data  []byte // nil is jute's null: the node's data reads back as null
	ACL   []ACL
	Flags CreateMode
}

// Op implements Request.
func (*CreateRequest) Op() OpCode { return OpCreate }

// Append implements Record.
func (r *CreateRequest) Append(b []byte) []byte {
	return appendInt32(appendACLs(appendBuffer(appendString(b, r.Path), r.Data), r.ACL), int32(r.Flags))
}

func (r *CreateRequest) decode(d *decoder) {
	r.Path = d.string("path")
	r.Data = d.buffer("data")
	r.ACL = d.acls("acl")
	r.Flags = CreateMode(d.int32("flags"))
}

// Create2Request is the body of create2, which the stock client sends for
// create calls that want the Stat (answered with a Create2Response).
type Create2Request struct{ CreateRequest }

// Op implements Request.
func (*Create2Request) Op() OpCode { return OpCreate2 }

// CreateContainerRequest is the body of createContainer (answered with a
// Create2Response); Flags is ModeContainer.
type CreateContainerRequest struct{ CreateRequest }

// Op implements Request.
func (*CreateContainerRequest) Op() OpCode { return OpCreateContainer }

// CreateTTLRequest is the body of createTTL (answered with a
// Create2Response).
type CreateTTLRequest struct {
	CreateRequest
	TTL int64 // ms
}

// Op implements Request.
func (*CreateTTLRequest) Op() OpCode { return OpCreateTTL }

// Append implements Record.
func (r *CreateTTLRequest) Append(b []byte) []byte {
	return appendInt64(r.CreateRequest.Append(b), r.TTL)
}

func (r *CreateTTLRequest) decode(d *decoder) {
	r.CreateRequest.decode(d)
	r.TTL = d.int64("ttl")
}
