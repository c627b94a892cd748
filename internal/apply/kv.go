package apply

import (
	"fmt"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// Range serves a read from the local store. Whether it is linearizable is
// the caller's business (it waits for ReadIndex first, or not).
func (m *Machine) Range(r *pb.RangeRequest) (*pb.RangeResponse, error) {
	res, err := m.store.Range(r.Key, r.RangeEnd, rangeOptions(r))
	if err != nil {
		return nil, err
	}
	return rangeResponse(&res), nil
}

func (m *Machine) applyPut(payload []byte) (any, error) {
	var r pb.PutRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: put: %v", ErrBadCommand, err)
	}
	res, err := m.txn(&mvcc.TxnRequest{Success: []mvcc.Op{putOp(&r)}})
	if err != nil {
		return nil, err
	}
	resp := &pb.PutResponse{Header: &pb.ResponseHeader{Revision: res.Rev}}
	resp.PrevKv = res.Results[0].PrevKV
	return resp, nil
}

func (m *Machine) applyDeleteRange(payload []byte) (any, error) {
	var r pb.DeleteRangeRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: delete: %v", ErrBadCommand, err)
	}
	res, err := m.txn(&mvcc.TxnRequest{Success: []mvcc.Op{deleteOp(&r)}})
	if err != nil {
		return nil, err
	}
	return deleteResponse(&res.Results[0], res.Rev), nil
}

func (m *Machine) applyTxn(payload []byte) (any, error) {
	var r pb.TxnRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: txn: %v", ErrBadCommand, err)
	}
	req := txnRequest(&r)
	res, err := m.txn(&req)
	if err != nil {
		return nil, err
	}
	return txnResponse(&req, &res, res.Rev), nil
}

func (m *Machine) applyCompact(payload []byte) (any, error) {
	var r pb.CompactionRequest
	if err := r.Unmarshal(payload); err != nil {
		return nil, fmt.Errorf("%w: compact: %v", ErrBadCommand, err)
	}
	if err := m.store.Compact(r.Revision); err != nil {
		return nil, err
	}
	return &pb.CompactionResponse{Header: &pb.ResponseHeader{Revision: m.store.Rev()}}, nil
}

// txn runs a transaction after the checks the store cannot make itself,
// through the znode tree, which keeps the ZooKeeper metadata and the lease
// table in step with its events (and may delete emptied containers in the
// same revision, adding their events) and tells the observer of them.
func (m *Machine) txn(req *mvcc.TxnRequest) (mvcc.TxnResult, error) {
	if err := m.checkLeases(req); err != nil {
		return mvcc.TxnResult{}, err
	}
	var res mvcc.TxnResult
	out, err := m.tree.Write(func(b *mvcc.Batch) error {
		var err error
		res, err = b.Txn(req)
		return err
	})
	if err != nil {
		return mvcc.TxnResult{}, err
	}
	res.Rev, res.Events = out.Rev, out.Events
	return res, nil
}

func rangeOptions(r *pb.RangeRequest) mvcc.RangeOptions {
	return mvcc.RangeOptions{
		Limit: r.Limit, Rev: r.Revision,
		Sort: mvcc.SortOrder(r.SortOrder), SortBy: mvcc.SortTarget(r.SortTarget),
		KeysOnly: r.KeysOnly, CountOnly: r.CountOnly,
		MinModRev: r.MinModRevision, MaxModRev: r.MaxModRevision,
		MinCreateRev: r.MinCreateRevision, MaxCreateRev: r.MaxCreateRevision,
	}
}

func putOp(r *pb.PutRequest) mvcc.Op {
	return mvcc.Op{Type: mvcc.OpPut, Key: r.Key, Value: r.Value, Lease: r.Lease,
		PrevKV: r.PrevKv, IgnoreValue: r.IgnoreValue, IgnoreLease: r.IgnoreLease}
}

func deleteOp(r *pb.DeleteRangeRequest) mvcc.Op {
	return mvcc.Op{Type: mvcc.OpDelete, Key: r.Key, End: r.RangeEnd, PrevKV: r.PrevKv}
}

func txnRequest(r *pb.TxnRequest) mvcc.TxnRequest {
	req := mvcc.TxnRequest{
		Compare: make([]mvcc.Compare, len(r.Compare)),
		Success: ops(r.Success),
		Failure: ops(r.Failure),
	}
	for i, c := range r.Compare {
		req.Compare[i] = mvcc.Compare{
			Key: c.Key, End: c.RangeEnd,
			Target: mvcc.CompareTarget(c.Target), Result: mvcc.CompareResult(c.Result),
			Version: c.GetVersion(), CreateRev: c.GetCreateRevision(), ModRev: c.GetModRevision(),
			Lease: c.GetLease(), Value: c.GetValue(),
		}
	}
	return req
}

func ops(reqs []*pb.RequestOp) []mvcc.Op {
	out := make([]mvcc.Op, len(reqs))
	for i, op := range reqs {
		switch r := op.Request.(type) {
		case *pb.RequestOp_RequestRange:
			rr := r.RequestRange
			out[i] = mvcc.Op{Type: mvcc.OpRange, Key: rr.Key, End: rr.RangeEnd, Range: rangeOptions(rr)}
		case *pb.RequestOp_RequestPut:
			out[i] = putOp(r.RequestPut)
		case *pb.RequestOp_RequestDeleteRange:
			out[i] = deleteOp(r.RequestDeleteRange)
		case *pb.RequestOp_RequestTxn:
			inner := txnRequest(r.RequestTxn)
			out[i] = mvcc.Op{Type: mvcc.OpTxn, Txn: &inner}
		}
	}
	return out
}

func rangeResponse(res *mvcc.RangeResult) *pb.RangeResponse {
	return &pb.RangeResponse{Header: &pb.ResponseHeader{Revision: res.Rev}, Kvs: res.KVs, More: res.More, Count: res.Count}
}

func deleteResponse(res *mvcc.OpResult, rev int64) *pb.DeleteRangeResponse {
	return &pb.DeleteRangeResponse{Header: &pb.ResponseHeader{Revision: rev}, Deleted: res.Deleted, PrevKvs: res.PrevKVs}
}

// txnResponse converts a txn result; req tells which kind of op produced
// each result of the branch that ran.
func txnResponse(req *mvcc.TxnRequest, res *mvcc.TxnResult, rev int64) *pb.TxnResponse {
	branch := req.Failure
	if res.Succeeded {
		branch = req.Success
	}
	resp := &pb.TxnResponse{Header: &pb.ResponseHeader{Revision: rev}, Succeeded: res.Succeeded,
		Responses: make([]*pb.ResponseOp, len(res.Results))}
	for i := range res.Results {
		r, op := &res.Results[i], &branch[i]
		var out pb.ResponseOp
		switch op.Type {
		case mvcc.OpRange:
			out.Response = &pb.ResponseOp_ResponseRange{ResponseRange: rangeResponse(r.Range)}
		case mvcc.OpPut:
			out.Response = &pb.ResponseOp_ResponsePut{ResponsePut: &pb.PutResponse{Header: &pb.ResponseHeader{Revision: rev}, PrevKv: r.PrevKV}}
		case mvcc.OpDelete:
			out.Response = &pb.ResponseOp_ResponseDeleteRange{ResponseDeleteRange: deleteResponse(r, rev)}
		case mvcc.OpTxn:
			out.Response = &pb.ResponseOp_ResponseTxn{ResponseTxn: txnResponse(op.Txn, r.Txn, rev)}
		}
		resp.Responses[i] = &out
	}
	return resp
}
