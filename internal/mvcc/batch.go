package mvcc

import "go.etcd.io/etcd/api/v3/mvccpb"

// Batch is a write transaction held open while a caller decides, from what
// it reads, what to write next: every write made through it shares one new
// revision, and if the caller gives up, none of them happened. The
// ZooKeeper data model uses it to check each operation of a multi against
// the writes of the ones before, and to delete a container in the revision
// that deleted its last child.
//
// A Batch is valid only inside the Store.Write callback that received it.
type Batch struct {
	tx txn
}

// Write runs fn with a Batch under the store's write lock. If fn returns
// nil, the batch's writes commit as one revision (none if it wrote
// nothing), and Write returns that revision and every event in order, as a
// TxnResult without Results. If fn returns an error, every write is undone
// and Write returns the error. Write must be called by the apply
// goroutine.
func (s *Store) Write(fn func(b *Batch) error) (TxnResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batchLocked(fn)
}

func (s *Store) batchLocked(fn func(b *Batch) error) (TxnResult, error) {
	b := &Batch{tx: txn{s: s, undo: s.undo[:0]}}
	err := fn(b)
	if err != nil {
		b.tx.rollback()
	}
	clear(b.tx.undo) // drop references to replaced histories
	s.undo = b.tx.undo[:0]
	if err != nil {
		return TxnResult{}, err
	}
	if len(b.tx.events) > 0 {
		s.rev++
	}
	return TxnResult{Rev: s.rev, Events: b.tx.events}, nil
}

// Txn runs req inside the batch, with Store.Txn's rules: its compares see
// the state from before the batch, its ranges see the batch's writes so
// far. The result's Rev and Events are not set; Events has them all. An
// error leaves the batch's earlier writes in place (the callback decides
// whether to give up).
func (b *Batch) Txn(req *TxnRequest) (TxnResult, error) {
	return b.tx.run(req)
}

// Get returns key's latest version, including the batch's writes, and
// whether it exists.
func (b *Batch) Get(key []byte) (mvccpb.KeyValue, bool) {
	it, ok := b.tx.s.tree.Get(keyItem{key: key})
	if !ok {
		return mvccpb.KeyValue{}, false
	}
	r, live := it.latest()
	if !live {
		return mvccpb.KeyValue{}, false
	}
	return r.keyValue(it.key), true
}

// Rev returns the revision the batch's writes carry.
func (b *Batch) Rev() int64 { return b.tx.s.rev + 1 }

// Events returns the changes made so far, in order (shared: read-only).
func (b *Batch) Events() []mvccpb.Event { return b.tx.events }
