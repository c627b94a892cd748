package mvcc

import (
	"go.etcd.io/etcd/api/v3/mvccpb"
)

// OpType says what an Op does.
type OpType int32

const (
	OpRange OpType = iota
	OpPut
	OpDelete
	OpTxn
)

// Op is one operation of a transaction branch.
//
//   - OpRange reads [Key, End) with Range's rules and options. With
//     Range.Rev <= 0 it sees the transaction's earlier writes; an explicit
//     Range.Rev is checked against the revision the transaction started at.
//   - OpPut writes Value (or, with IgnoreValue, the current value) and
//     Lease (or, with IgnoreLease, the current lease) to Key, which must
//     not be empty (ErrEmptyKey). IgnoreValue and IgnoreLease need the key
//     to exist: ErrKeyNotFound otherwise. PrevKV asks for the replaced
//     version.
//   - OpDelete deletes every existing key in [Key, End); PrevKV asks for
//     the deleted versions.
//   - OpTxn runs the nested transaction Txn within the same revision.
type Op struct {
	Type                             OpType
	Key, End                         []byte
	Value                            []byte
	Lease                            int64
	PrevKV, IgnoreValue, IgnoreLease bool
	Range                            RangeOptions
	Txn                              *TxnRequest
}

// TxnRequest is a transaction: if every Compare holds, Success runs, else
// Failure; the operations run in order.
type TxnRequest struct {
	Compare          []Compare
	Success, Failure []Op
}

// OpResult is the outcome of one Op; only the fields of its type are set.
type OpResult struct {
	Range   *RangeResult       // OpRange
	PrevKV  *mvccpb.KeyValue   // OpPut with PrevKV, when the key existed
	PrevKVs []*mvccpb.KeyValue // OpDelete with PrevKV
	Deleted int64              // OpDelete: number of keys deleted
	Txn     *TxnResult         // OpTxn
}

// TxnResult is the outcome of a transaction.
type TxnResult struct {
	// Succeeded reports whether the compares held (Success ran).
	Succeeded bool
	// Results holds one entry per operation of the branch that ran.
	Results []OpResult
	// Rev is the store's revision after the transaction: the revision of
	// its writes if it wrote anything. Zero in nested results.
	Rev int64
	// Events lists every change in order, all carrying Rev: a PUT with the
	// new version, or a DELETE whose Kv holds only the key and the deletion
	// revision as ModRevision; PrevKv is the replaced version, if any.
	// Nested transactions' events appear here, in the outermost result.
	Events []mvccpb.Event
}

// Txn evaluates req's compares against the current revision, runs the
// chosen branch and returns the outcome. All of req's writes, nested ones
// included, share one new revision. As in etcd, every compare, nested ones
// included, sees the state from before the transaction, while range
// operations see its earlier writes. A transaction that fails (for
// instance ErrKeyNotFound, ErrCompacted or ErrFutureRev from an operation,
// or ErrInvalidOp) changes nothing. Writing one key twice in a transaction
// is allowed here (the etcd API forbids it upstream, ZooKeeper's multi
// does not): the later write replaces the earlier one, each put still adds
// one to the version, and every write produces its event.
//
// A transaction that writes must be applied by the apply goroutine; a
// read-only one may run on any goroutine.
func (s *Store) Txn(req *TxnRequest) (TxnResult, error) {
	if req.readOnly() {
		s.mu.RLock()
		defer s.mu.RUnlock()
		tx := txn{s: s}
		res, err := tx.run(req)
		if err != nil {
			return TxnResult{}, err
		}
		res.Rev = s.rev
		return res, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(req)
}

// Put writes value and lease to key in a transaction of its own. The result
// carries the one event and, in Results[0].PrevKV, the replaced version.
func (s *Store) Put(key, value []byte, lease int64) (TxnResult, error) {
	return s.Txn(&TxnRequest{Success: []Op{{Type: OpPut, Key: key, Value: value, Lease: lease, PrevKV: true}}})
}

// DeleteRange deletes the keys in [key, end) in a transaction of its own.
func (s *Store) DeleteRange(key, end []byte) (TxnResult, error) {
	return s.Txn(&TxnRequest{Success: []Op{{Type: OpDelete, Key: key, End: end, PrevKV: true}}})
}

// writeLocked runs a transaction that may write, rolling back on error.
func (s *Store) writeLocked(req *TxnRequest) (TxnResult, error) {
	var res TxnResult
	out, err := s.batchLocked(func(b *Batch) error {
		var err error
		res, err = b.tx.run(req)
		return err
	})
	if err != nil {
		return TxnResult{}, err
	}
	res.Rev, res.Events = out.Rev, out.Events
	return res, nil
}

// readOnly reports whether neither branch, at any depth, writes.
func (r *TxnRequest) readOnly() bool {
	return opsReadOnly(r.Success) && opsReadOnly(r.Failure)
}

func opsReadOnly(ops []Op) bool {
	for i := range ops {
		switch ops[i].Type {
		case OpPut, OpDelete:
			return false
		case OpTxn:
			if ops[i].Txn != nil && !ops[i].Txn.readOnly() {
				return false
			}
		}
	}
	return true
}
