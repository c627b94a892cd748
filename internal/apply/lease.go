package apply

import (
	"fmt"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/mvcc"
)

func (m *Machine) applyLeaseGrant(payload []byte) (any, error) {
	var r lease.GrantRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: lease grant: %v", ErrBadCommand, err)
	}
	if err := m.leases.Grant(r.ID, r.TTL); err != nil {
		return nil, err
	}
	return &pb.ResponseHeader{Revision: m.store.Rev()}, nil
}

// applyLeaseRevoke revokes a lease and deletes its keys in one revision.
// A revoke proposed by a leader whose term has passed is refused: raft may
// forward a deposed leader's proposal to its successor, where the lease may
// have been kept alive meanwhile.
func (m *Machine) applyLeaseRevoke(payload []byte) (any, error) {
	var r lease.RevokeRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: lease revoke: %v", ErrBadCommand, err)
	}
	if lease.Stale(r.Term, m.term) {
		return nil, lease.ErrStale
	}
	keys, err := m.leases.Revoke(r.ID)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return &pb.ResponseHeader{Revision: m.store.Rev()}, nil
	}
	req := mvcc.TxnRequest{Success: make([]mvcc.Op, len(keys))}
	for i, k := range keys {
		req.Success[i] = mvcc.Op{Type: mvcc.OpDelete, Key: k}
	}
	res, err := m.txn(&req)
	if err != nil {
		panic(fmt.Sprintf("apply: deleting the keys of revoked lease %x: %v", r.ID, err)) // deletes cannot fail
	}
	return &pb.ResponseHeader{Revision: res.Rev}, nil
}

func (m *Machine) applyLeaseCheckpoint(payload []byte) (any, error) {
	var r lease.CheckpointRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: lease checkpoint: %v", ErrBadCommand, err)
	}
	if lease.Stale(r.Term, m.term) {
		return nil, lease.ErrStale
	}
	m.leases.Checkpoint(r.Checkpoints)
	return nil, nil
}

// checkLeases refuses a write attached to a lease that does not exist.
func (m *Machine) checkLeases(req *mvcc.TxnRequest) error {
	for _, ops := range [][]mvcc.Op{req.Success, req.Failure} {
		for i := range ops {
			if ops[i].Type == mvcc.OpPut && ops[i].Lease != 0 && !m.leases.Exists(ops[i].Lease) {
				return ErrLeaseNotFound
			}
			if ops[i].Txn != nil {
				if err := m.checkLeases(ops[i].Txn); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
