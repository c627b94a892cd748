package apply

import (
	"fmt"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/znode"
)

// ZnodeResponse is the apply step's answer to a ZooKeeper request: one
// result per op and the revision (zxid) after the request.
type ZnodeResponse struct {
	Results []znode.Result
	Rev     int64
}

// applyZnode applies a ZooKeeper request (znode.Tree.Apply, which tells the
// observer of its events). A TTL expiry proposed by a leader whose term has
// passed is refused, as lease revokes are.
func (m *Machine) applyZnode(payload []byte) (any, error) {
	var r znode.Request
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: znode: %v", ErrBadCommand, err)
	}
	if lease.Stale(r.Term, m.term) {
		return nil, lease.ErrStale
	}
	results, out := m.tree.Apply(&r)
	return &ZnodeResponse{Results: results, Rev: out.Rev}, nil
}
