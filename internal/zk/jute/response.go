package jute

// PathResponse answers create (jute's CreateResponse: the created path,
// with any sequence suffix) and sync (SyncResponse: the request's path).
type PathResponse struct {
	Path string
}

// Append implements Record.
func (r *PathResponse) Append(b []byte) []byte { return appendString(b, r.Path) }

func (r *PathResponse) decode(d *decoder) { r.Path = d.string("path") }

// StatResponse answers exists, setData, setACL and a lone check (jute's
// ExistsResponse, SetDataResponse, SetACLResponse).
type StatResponse struct {
	Stat Stat
}

// Append implements Record.
func (r *StatResponse) Append(b []byte) []byte { return r.Stat.Append(b) }

func (r *StatResponse) decode(d *decoder) { d.record("stat", &r.Stat) }

// Create2Response answers create2, createContainer and createTTL.
type Create2Response struct {
	Path string
	Stat Stat
}

// Append implements Record.
func (r *Create2Response) Append(b []byte) []byte { return r.Stat.Append(appendString(b, r.Path)) }

func (r *Create2Response) decode(d *decoder) {
	r.Path = d.string("path")
	d.record("stat", &r.Stat)
}

// GetDataResponse answers getData.
type GetDataResponse struct {
	Data []byte // nil is sent as null
	Stat Stat
}

// Append implements Record.
func (r *GetDataResponse) Append(b []byte) []byte { return r.Stat.Append(appendBuffer(b, r.Data)) }

func (r *GetDataResponse) decode(d *decoder) {
	r.Data = d.buffer("data")
	d.record("stat", &r.Stat)
}

// GetACLResponse answers getACL.
type GetACLResponse struct {
	ACL  []ACL
	Stat Stat
}

// Append implements Record.
func (r *GetACLResponse) Append(b []byte) []byte { return r.Stat.Append(appendACLs(b, r.ACL)) }

func (r *GetACLResponse) decode(d *decoder) {
	r.ACL = d.acls("acl")
	d.record("stat", &r.Stat)
}

// GetChildrenResponse answers getChildren with the children's names.
type GetChildrenResponse struct {
	Children []string
}

// Append implements Record.
func (r *GetChildrenResponse) Append(b []byte) []byte { return appendStrings(b, r.Children) }

func (r *GetChildrenResponse) decode(d *decoder) { r.Children = d.strings("children") }

// GetChildren2Response answers getChildren2.
type GetChildren2Response struct {
	Children []string
	Stat     Stat
}

// Append implements Record.
func (r *GetChildren2Response) Append(b []byte) []byte {
	return r.Stat.Append(appendStrings(b, r.Children))
}

func (r *GetChildren2Response) decode(d *decoder) {
	r.Children = d.strings("children")
	d.record("stat", &r.Stat)
}

// GetAllChildrenNumberResponse answers getAllChildrenNumber with the number
// of descendants.
type GetAllChildrenNumberResponse struct {
	TotalNumber int32
}

// Append implements Record.
func (r *GetAllChildrenNumberResponse) Append(b []byte) []byte { return appendInt32(b, r.TotalNumber) }

func (r *GetAllChildrenNumberResponse) decode(d *decoder) { r.TotalNumber = d.int32("totalNumber") }

// GetEphemeralsResponse answers getEphemerals with full paths.
type GetEphemeralsResponse struct {
	Ephemerals []string
}

// Append implements Record.
func (r *GetEphemeralsResponse) Append(b []byte) []byte { return appendStrings(b, r.Ephemerals) }

func (r *GetEphemeralsResponse) decode(d *decoder) { r.Ephemerals = d.strings("ephemerals") }

// WhoAmIResponse answers whoAmI.
type WhoAmIResponse struct {
	ClientInfo []ClientInfo
}

// clientInfoLen is the smallest encoding of a ClientInfo.
const clientInfoLen = 8

// Append implements Record.
func (r *WhoAmIResponse) Append(b []byte) []byte {
	return appendVector(b, r.ClientInfo, func(b []byte, c *ClientInfo) []byte { return c.Append(b) })
}

func (r *WhoAmIResponse) decode(d *decoder) {
	r.ClientInfo = vector(d, "clientInfo", clientInfoLen, func(d *decoder, c *ClientInfo) { c.decode(d) })
}

// ErrorResponse answers addWatch (with CodeOK) and is the result of a
// failed multi operation.
type ErrorResponse struct {
	Err Code
}

// Append implements Record.
func (r *ErrorResponse) Append(b []byte) []byte { return appendInt32(b, int32(r.Err)) }

func (r *ErrorResponse) decode(d *decoder) { r.Err = Code(d.int32("err")) }
