package znode

// Reader reads one member's current state: ZooKeeper serves reads from the
// member a client is connected to. Every call sees the store and the
// metadata at one revision (the Tree holds its read lock for the call,
// and every write to the store takes its write lock), though two calls may
// see different revisions unless they are made inside one Read. Methods may be called from any goroutine;
// returned slices are the caller's.
//
// Paths are validated as ZooKeeper does: an invalid one is
// ErrBadArguments. A path that names no node is ErrNoNode.
type Reader interface {
	// Read calls fn with a Reader whose calls all see one revision, and
	// returns that revision: a read that sets a watch needs to know exactly
	// which state it showed. fn must only read: writes wait until it
	// returns.
	Read(fn func(Reader)) int64
	// Rev returns the revision (zxid) of the state reads see now.
	Rev() int64
	// Get returns the node's data and Stat.
	Get(path string) ([]byte, Stat, error)
	// Exists returns the node's Stat.
	Exists(path string) (Stat, error)
	// Children returns the names of the node's children, in ascending
	// byte order, and its Stat.
	Children(path string) ([]string, Stat, error)
	// ACL returns the node's ACL and Stat.
	ACL(path string) ([]ACL, Stat, error)
	// AllChildrenNumber returns how many keys lie below the node (every
	// live key with the prefix path + "/").
	AllChildrenNumber(path string) (int, error)
	// Ephemerals returns, in ascending order, the paths of the session's
	// ephemeral nodes that start with prefix ("" or "/": all of them).
	Ephemerals(session int64, prefix string) []string
	// Allowed returns nil if auth grants perm on the node's ACL,
	// ErrNoAuth if it does not, ErrNoNode if there is no such node.
	Allowed(path string, perm int32, auth []ID) error
}

var _ Reader = (*Tree)(nil)
