package mvcc

import "go.etcd.io/etcd/api/v3/mvccpb"

// txn is one transaction in progress. It writes straight into the store's
// tree (under the store's write lock) and logs what it replaced, so that a
// failing operation can put everything back. The store's revision is only
// bumped when the transaction commits; its writes carry s.rev+1.
type txn struct {
	s      *Store
	events []mvccpb.Event
	undo   []undoEntry
}

// undoEntry is what a write replaced: the old item, or, if the key was not
// in the tree, just its key.
type undoEntry struct {
	old     keyItem
	existed bool
}

// eventKVs holds an event's Kv and PrevKv in one allocation.
type eventKVs struct{ kv, prev mvccpb.KeyValue }

// run evaluates req and executes its chosen branch.
func (tx *txn) run(req *TxnRequest) (TxnResult, error) {
	ok := true
	for i := range req.Compare {
		holds, err := compareAt(tx.s.tree, &req.Compare[i], tx.s.rev)
		if err != nil {
			return TxnResult{}, err
		}
		if !holds {
			ok = false
			break
		}
	}
	ops := req.Success
	if !ok {
		ops = req.Failure
	}
	res := TxnResult{Succeeded: ok}
	if len(ops) > 0 {
		res.Results = make([]OpResult, len(ops))
	}
	for i := range ops {
		if err := tx.exec(&ops[i], &res.Results[i]); err != nil {
			return TxnResult{}, err
		}
	}
	return res, nil
}

func (tx *txn) exec(op *Op, out *OpResult) error {
	switch op.Type {
	case OpRange:
		r, err := tx.rangeOp(op)
		out.Range = &r
		return err
	case OpPut:
		return tx.put(op, out)
	case OpDelete:
		tx.deleteRange(op, out)
		return nil
	case OpTxn:
		if op.Txn == nil {
			return ErrInvalidOp
		}
		r, err := tx.run(op.Txn)
		out.Txn = &r
		return err
	}
	return ErrInvalidOp
}

// readRev is the revision that shows the transaction's writes so far.
func (tx *txn) readRev() int64 {
	if len(tx.events) > 0 {
		return tx.s.rev + 1
	}
	return tx.s.rev
}

func (tx *txn) rangeOp(op *Op) (RangeResult, error) {
	rev, err := tx.s.readRevLocked(op.Range.Rev)
	if err != nil {
		return RangeResult{}, err
	}
	cur := tx.readRev()
	if op.Range.Rev <= 0 {
		rev = cur
	}
	return rangeAt(tx.s.tree, op.Key, op.End, rev, cur, &op.Range), nil
}

func (tx *txn) put(op *Op, out *OpResult) error {
	if len(op.Key) == 0 {
		return ErrEmptyKey
	}
	rev := tx.s.rev + 1
	it, existed := tx.s.tree.Get(keyItem{key: op.Key})
	var prev record
	live := false
	if existed {
		prev, live = it.latest()
	} else {
		it = keyItem{key: op.Key}
	}
	if (op.IgnoreValue || op.IgnoreLease) && !live {
		return ErrKeyNotFound
	}
	r := record{mod: rev, sub: int64(len(tx.events)), create: rev, version: 1, lease: op.Lease, value: op.Value}
	if live {
		r.create, r.version = prev.create, prev.version+1
	}
	if op.IgnoreValue {
		r.value = prev.value
	}
	if op.IgnoreLease {
		r.lease = prev.lease
	}
	tx.replace(it.with(r), it, existed)

	kvs := &eventKVs{kv: r.keyValue(it.key)}
	ev := mvccpb.Event{Type: mvccpb.PUT, Kv: &kvs.kv}
	if live {
		kvs.prev = prev.keyValue(it.key)
		ev.PrevKv = &kvs.prev
		if op.PrevKV {
			out.PrevKV = ev.PrevKv
		}
	}
	tx.events = append(tx.events, ev)
	return nil
}

func (tx *txn) deleteRange(op *Op, out *OpResult) {
	var doomed []keyItem
	ascend(tx.s.tree, op.Key, op.End, func(it keyItem) bool {
		if _, ok := it.latest(); ok {
			doomed = append(doomed, it)
		}
		return true
	})
	rev := tx.s.rev + 1
	for _, it := range doomed {
		prev, _ := it.latest()
		tx.replace(it.with(record{mod: rev, sub: int64(len(tx.events))}), it, true)
		kvs := &eventKVs{
			kv:   mvccpb.KeyValue{Key: it.key, ModRevision: rev},
			prev: prev.keyValue(it.key),
		}
		tx.events = append(tx.events, mvccpb.Event{Type: mvccpb.DELETE, Kv: &kvs.kv, PrevKv: &kvs.prev})
		if op.PrevKV {
			out.PrevKVs = append(out.PrevKVs, &kvs.prev)
		}
	}
	out.Deleted = int64(len(doomed))
}

// replace puts item into the tree in place of old, logging old for undo.
func (tx *txn) replace(item, old keyItem, existed bool) {
	tx.undo = append(tx.undo, undoEntry{old: old, existed: existed})
	tx.s.tree.ReplaceOrInsert(item)
}

// rollback undoes every write of the transaction, newest first.
func (tx *txn) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		u := &tx.undo[i]
		if u.existed {
			tx.s.tree.ReplaceOrInsert(u.old)
		} else {
			tx.s.tree.Delete(u.old)
		}
	}
}
