package jute

// Perms is a set of ACL permissions (ZooDefs.Perms).
type Perms int32

// The permissions.
const (
	PermRead   Perms = 1 << 0
	PermWrite  Perms = 1 << 1
	PermCreate Perms = 1 << 2
	PermDelete Perms = 1 << 3
	PermAdmin  Perms = 1 << 4
	PermAll          = PermRead | PermWrite | PermCreate | PermDelete | PermAdmin
)

// String spells the set as zkCli prints it: "cdrwa" for PermAll, "r" for
// PermRead, "" for none.
func (p Perms) String() string {
	var s []byte
	for _, f := range []struct {
		perm Perms
		c    byte
	}{{PermCreate, 'c'}, {PermDelete, 'd'}, {PermRead, 'r'}, {PermWrite, 'w'}, {PermAdmin, 'a'}} {
		if p&f.perm != 0 {
			s = append(s, f.c)
		}
	}
	return string(s)
}

// Id is an identity in an ACL scheme, e.g. {"world", "anyone"} or
// {"digest", "user:base64(sha1(user:password))"}.
type Id struct {
	Scheme string
	ID     string
}

// Append implements Record.
func (id *Id) Append(b []byte) []byte { return appendString(appendString(b, id.Scheme), id.ID) }

func (id *Id) decode(d *decoder) {
	id.Scheme = d.string("scheme")
	id.ID = d.string("id")
}

// ACL grants Perms to an Id.
type ACL struct {
	Perms Perms
	ID    Id
}

// Append implements Record.
func (a *ACL) Append(b []byte) []byte { return a.ID.Append(appendInt32(b, int32(a.Perms))) }

func (a *ACL) decode(d *decoder) {
	a.Perms = Perms(d.int32("perms"))
	d.record("id", &a.ID)
}

// aclLen is the smallest encoding of an ACL: perms and two empty strings.
const aclLen = 12

func appendACLs(b []byte, acl []ACL) []byte {
	return appendVector(b, acl, func(b []byte, a *ACL) []byte { return a.Append(b) })
}

func (d *decoder) acls(field string) []ACL {
	return vector(d, field, aclLen, func(d *decoder, a *ACL) { a.decode(d) })
}

// ClientInfo is one identity of a session, as whoAmI reports it.
type ClientInfo struct {
	AuthScheme string
	User       string
}

// Append implements Record.
func (c *ClientInfo) Append(b []byte) []byte {
	return appendString(appendString(b, c.AuthScheme), c.User)
}

func (c *ClientInfo) decode(d *decoder) {
	c.AuthScheme = d.string("authScheme")
	c.User = d.string("user")
}
