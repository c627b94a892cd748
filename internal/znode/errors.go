package znode

import "errors"

// The errors of ZooKeeper's data model, one per KeeperException code the
// apply step or a read can produce. The front end maps them to codes in its
// one error table.
var (
	ErrNoNode                  = errors.New("znode: node does not exist")                      // NONODE
	ErrNodeExists              = errors.New("znode: node already exists")                      // NODEEXISTS
	ErrBadVersion              = errors.New("znode: version does not match")                   // BADVERSION
	ErrNotEmpty                = errors.New("znode: node has children")                        // NOTEMPTY
	ErrNoChildrenForEphemerals = errors.New("znode: ephemeral nodes may not have children")    // NOCHILDRENFOREPHEMERALS
	ErrNoAuth                  = errors.New("znode: not authorised")                           // NOAUTH
	ErrInvalidACL              = errors.New("znode: invalid ACL")                              // INVALIDACL
	ErrBadArguments            = errors.New("znode: bad arguments")                            // BADARGUMENTS
	ErrSessionExpired          = errors.New("znode: session expired")                          // SESSIONEXPIRED
	ErrRuntimeInconsistency    = errors.New("znode: an earlier operation of the multi failed") // RUNTIMEINCONSISTENCY
)
