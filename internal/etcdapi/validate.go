package etcdapi

import (
	"bytes"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

func checkRange(r *pb.RangeRequest) error {
	if len(r.Key) == 0 {
		return rpctypes.ErrGRPCEmptyKey
	}
	if _, ok := pb.RangeRequest_SortOrder_name[int32(r.SortOrder)]; !ok {
		return rpctypes.ErrGRPCInvalidSortOption
	}
	if _, ok := pb.RangeRequest_SortTarget_name[int32(r.SortTarget)]; !ok {
		return rpctypes.ErrGRPCInvalidSortOption
	}
	return nil
}

func checkPut(r *pb.PutRequest) error {
	switch {
	case len(r.Key) == 0:
		return rpctypes.ErrGRPCEmptyKey
	case r.IgnoreValue && len(r.Value) != 0:
		return rpctypes.ErrGRPCValueProvided
	case r.IgnoreLease && r.Lease != 0:
		return rpctypes.ErrGRPCLeaseProvided
	}
	return nil
}

func checkDelete(r *pb.DeleteRangeRequest) error {
	if len(r.Key) == 0 {
		return rpctypes.ErrGRPCEmptyKey
	}
	return nil
}

func checkTxn(r *pb.TxnRequest, maxOps int) error {
	if len(r.Compare) > maxOps || len(r.Success) > maxOps || len(r.Failure) > maxOps {
		return rpctypes.ErrGRPCTooManyOps
	}
	for _, c := range r.Compare {
		if len(c.Key) == 0 {
			return rpctypes.ErrGRPCEmptyKey
		}
	}
	for _, ops := range [][]*pb.RequestOp{r.Success, r.Failure} {
		for _, op := range ops {
			if err := checkOp(op, maxOps); err != nil {
				return err
			}
		}
		if _, err := writesOf(ops); err != nil {
			return err
		}
	}
	return nil
}

func checkOp(op *pb.RequestOp, maxOps int) error {
	switch req := op.Request.(type) {
	case *pb.RequestOp_RequestRange:
		return checkRange(req.RequestRange)
	case *pb.RequestOp_RequestPut:
		return checkPut(req.RequestPut)
	case *pb.RequestOp_RequestDeleteRange:
		return checkDelete(req.RequestDeleteRange)
	case *pb.RequestOp_RequestTxn:
		return checkTxn(req.RequestTxn, maxOps)
	default:
		return rpctypes.ErrGRPCKeyNotFound // etcd's answer to an empty RequestOp
	}
}

// writes are the keys one txn branch puts and the ranges it deletes.
type writes struct {
	puts map[string]bool
	dels [][2][]byte
}

// writesOf collects a branch's writes, failing with ErrGRPCDuplicateKey when
// a key is put twice or put inside a range the branch deletes (etcd forbids
// modifying one key twice in a txn). A nested txn contributes the writes of
// whichever of its branches could run, each checked against the outer ones.
func writesOf(ops []*pb.RequestOp) (writes, error) {
	w := writes{puts: map[string]bool{}}
	for _, op := range ops {
		switch req := op.Request.(type) {
		case *pb.RequestOp_RequestPut:
			if err := w.addPut(req.RequestPut.Key); err != nil {
				return w, err
			}
		case *pb.RequestOp_RequestDeleteRange:
			w.dels = append(w.dels, [2][]byte{req.RequestDeleteRange.Key, req.RequestDeleteRange.RangeEnd})
		case *pb.RequestOp_RequestTxn:
			seen := map[string]bool{}
			for _, branch := range [][]*pb.RequestOp{req.RequestTxn.Success, req.RequestTxn.Failure} {
				inner, err := writesOf(branch)
				if err != nil {
					return w, err
				}
				for k := range inner.puts {
					if w.puts[k] || w.deleted([]byte(k)) {
						return w, rpctypes.ErrGRPCDuplicateKey
					}
					seen[k] = true
				}
				w.dels = append(w.dels, inner.dels...)
			}
			for k := range seen {
				w.puts[k] = true
			}
		}
	}
	for k := range w.puts {
		if w.deleted([]byte(k)) {
			return w, rpctypes.ErrGRPCDuplicateKey
		}
	}
	return w, nil
}

func (w *writes) addPut(key []byte) error {
	if w.puts[string(key)] {
		return rpctypes.ErrGRPCDuplicateKey
	}
	w.puts[string(key)] = true
	return nil
}

// deleted reports whether key falls in one of the deleted ranges.
func (w *writes) deleted(key []byte) bool {
	for _, d := range w.dels {
		start, end := d[0], d[1]
		switch {
		case len(end) == 0:
			if bytes.Equal(key, start) {
				return true
			}
		case len(end) == 1 && end[0] == 0:
			if bytes.Compare(key, start) >= 0 {
				return true
			}
		default:
			if bytes.Compare(key, start) >= 0 && bytes.Compare(key, end) < 0 {
				return true
			}
		}
	}
	return false
}
