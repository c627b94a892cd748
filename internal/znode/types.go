package znode

// Stat is a znode's Stat as ZooKeeper reports it (the jute record's fields,
// in its order). See stat.go for how each field is derived.
type Stat struct {
	Czxid, Mzxid, Ctime, Mtime  int64
	Version, Cversion, Aversion int32
	EphemeralOwner              int64
	DataLength, NumChildren     int32
	Pzxid                       int64
}

// ID is an ACL identity: a scheme and an expression of that scheme, e.g.
// {"world", "anyone"}, {"digest", "user:base64(sha1(user:password))"},
// {"ip", "10.0.0.0/8"}, or, in a create or setACL request only,
// {"auth", ""}, which stands for every identity the caller authenticated as.
type ID struct{ Scheme, ID string }

// ACL is one access-control entry: the permissions (Perm* bits) granted to
// an identity.
type ACL struct {
	Perms int32
	ID    ID
}

// Permission bits, ZooKeeper's ZooDefs.Perms.
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// OpenACL is world:anyone with every permission, ZooKeeper's
// OPEN_ACL_UNSAFE: the ACL of the root and of keys written through the
// etcd API.
var OpenACL = []ACL{{Perms: PermAll, ID: ID{Scheme: "world", ID: "anyone"}}}

// Mode is a create mode; the values are ZooKeeper's CreateMode flags.
type Mode uint8

const (
	Persistent              Mode = 0
	Ephemeral               Mode = 1
	PersistentSequential    Mode = 2
	EphemeralSequential     Mode = 3
	Container               Mode = 4
	PersistentTTL           Mode = 5
	PersistentSequentialTTL Mode = 6
)

// Valid reports whether m is one of ZooKeeper's create modes.
func (m Mode) Valid() bool { return m <= PersistentSequentialTTL }

// Ephemeral reports whether nodes of mode m belong to a session.
func (m Mode) Ephemeral() bool { return m == Ephemeral || m == EphemeralSequential }

// Sequential reports whether m appends a sequence number to the name.
func (m Mode) Sequential() bool {
	return m == PersistentSequential || m == EphemeralSequential || m == PersistentSequentialTTL
}

// TTL reports whether m is a TTL mode.
func (m Mode) TTL() bool { return m == PersistentTTL || m == PersistentSequentialTTL }

// NoTTL is Op.TTL for a create that has none: ZooKeeper's -1, which its
// create, create2 and createContainer requests carry. Any TTL of 0 or more
// on a mode other than the TTL modes is BADARGUMENTS, as in ZooKeeper.
const NoTTL = -1

// MaxTTL is ZooKeeper's largest TTL, in milliseconds (2^40-1, about 34
// years: EphemeralType.TTL.maxValue()).
const MaxTTL = 1<<40 - 1

// OpKind says what an Op does.
type OpKind uint8

const (
	// OpCreate creates Path (with a sequence suffix for sequential modes)
	// holding Data, with ACL, Mode and TTL.
	OpCreate OpKind = 1
	// OpDelete deletes Path if its version is Version (-1: any) and it has
	// no children.
	OpDelete OpKind = 2
	// OpSetData replaces Path's data if its version is Version (-1: any).
	OpSetData OpKind = 3
	// OpCheck fails unless Path exists with version Version (-1: any).
	OpCheck OpKind = 4
	// OpSetACL replaces Path's ACL if its ACL version is Version (-1: any).
	OpSetACL OpKind = 5
	// OpExpire is not a ZooKeeper operation: the leader's TTL expiry
	// proposes it to delete Path if it is still a childless TTL node whose
	// mzxid is Zxid. It never fails: when the node no longer qualifies it
	// does nothing. Requests holding it carry the leader's Term.
	OpExpire OpKind = 6
)

// Op is one operation of a request.
type Op struct {
	Kind    OpKind
	Path    string
	Data    []byte // OpCreate, OpSetData
	ACL     []ACL  // OpCreate, OpSetACL
	Mode    Mode   // OpCreate
	TTL     int64  // OpCreate: ms for the TTL modes (1..MaxTTL), NoTTL for the others
	Version int32  // OpDelete, OpSetData, OpCheck, OpSetACL: expected version, -1 = any
	Zxid    int64  // OpExpire: the mzxid the leader saw
}

// Request is one replicated write: a single op, or the ops of a multi,
// applied atomically in one revision.
type Request struct {
	// Session is the caller's session (its lease ID). A request with a
	// nonzero Session fails with ErrSessionExpired once the lease is gone;
	// ephemeral creates need one.
	Session int64
	// Auth lists the identities the caller authenticated as, for ACL
	// checks at apply: the connection's {"ip", address} and any
	// {"digest", "user:hash"} it added; {"super", ...} passes every check.
	Auth []ID
	// Now is the proposer's wall clock in ms since the epoch; the apply
	// step stamps ctime and mtime with it (never earlier than a time it
	// stamped before).
	Now int64
	// Term is 0, except in the leader's TTL expiry requests, where it is
	// the term the leader proposed in; the apply step refuses them in any
	// other term (lease.Stale).
	Term uint64
	Ops  []Op
}

// Result is the outcome of one op.
//
// When a request fails, nothing of it is written and its results report
// what ZooKeeper reports for a failed multi: Err is nil for the ops before
// the failing one (ZooKeeper's error result with code OK), the failing
// op's error for it, and ErrRuntimeInconsistency for the ones after.
type Result struct {
	Err  error  // nil or one of the Err* sentinels
	Path string // OpCreate: the path created (with its sequence suffix)
	Stat Stat   // OpCreate, OpSetData, OpSetACL, OpCheck: the node's Stat after the op
}
