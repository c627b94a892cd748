package znode

import (
	"errors"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/mvcc"
)

// fixture is a Tree over a real store and lease table, with session 7
// granted.
type fixture struct {
	t      testing.TB
	store  *mvcc.Store
	leases *lease.Table
	tree   *Tree
	now    int64
}

const session = 7

func newFixture(t testing.TB) *fixture {
	f := &fixture{t: t, store: mvcc.New(), leases: lease.NewTable(), now: 1000}
	f.tree = New(f.store, f.leases, nil)
	if err := f.leases.Grant(session, 10_000); err != nil {
		t.Fatal(err)
	}
	return f
}

// apply applies req (stamped with the fixture's clock, which then moves
// on by one second) and returns its results.
func (f *fixture) apply(req Request) []Result {
	f.t.Helper()
	req.Now = f.now
	f.now += 1000
	res, _ := f.tree.Apply(&req)
	return res
}

// must applies ops as one request and fails the test unless it succeeds.
func (f *fixture) must(ops ...Op) []Result {
	f.t.Helper()
	res := f.apply(Request{Session: session, Ops: ops})
	for i, r := range res {
		if r.Err != nil {
			f.t.Fatalf("op %d (%+v): %v", i, ops[i], r.Err)
		}
	}
	return res
}

// etcdPut writes a key through the etcd path (Tree.Write).
func (f *fixture) etcdPut(key, value string, leaseID int64) {
	f.t.Helper()
	_, err := f.tree.Write(func(b *mvcc.Batch) error {
		_, err := b.Txn(&mvcc.TxnRequest{Success: []mvcc.Op{{Type: mvcc.OpPut, Key: []byte(key), Value: []byte(value), Lease: leaseID}}})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// putEvent returns the event of an etcd put of key.
func (f *fixture) putEvent(key string) *mvccpb.Event {
	f.t.Helper()
	out, err := f.tree.Write(func(b *mvcc.Batch) error {
		_, err := b.Txn(&mvcc.TxnRequest{Success: []mvcc.Op{{Type: mvcc.OpPut, Key: []byte(key)}}})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return &out.Events[0]
}

func (f *fixture) etcdDelete(key string) {
	f.t.Helper()
	if _, err := f.tree.Write(func(b *mvcc.Batch) error {
		_, err := b.Txn(&mvcc.TxnRequest{Success: []mvcc.Op{{Type: mvcc.OpDelete, Key: []byte(key)}}})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) stat(path string) Stat {
	f.t.Helper()
	st, err := f.tree.Exists(path)
	if err != nil {
		f.t.Fatalf("exists %s: %v", path, err)
	}
	return st
}

func (f *fixture) exists(path string) bool {
	_, err := f.tree.Exists(path)
	if err != nil && !errors.Is(err, ErrNoNode) {
		f.t.Fatalf("exists %s: %v", path, err)
	}
	return err == nil
}

func create(path, data string, mode Mode) Op {
	return Op{Kind: OpCreate, Path: path, Data: []byte(data), ACL: OpenACL, Mode: mode, TTL: NoTTL}
}

func createTTL(path string, mode Mode, ttl int64) Op {
	return Op{Kind: OpCreate, Path: path, ACL: OpenACL, Mode: mode, TTL: ttl}
}

func del(path string, version int32) Op { return Op{Kind: OpDelete, Path: path, Version: version} }

func set(path, data string, version int32) Op {
	return Op{Kind: OpSetData, Path: path, Data: []byte(data), Version: version}
}

func check(path string, version int32) Op { return Op{Kind: OpCheck, Path: path, Version: version} }

func setACL(path string, acl []ACL, version int32) Op {
	return Op{Kind: OpSetACL, Path: path, ACL: acl, Version: version}
}

func digest(user string) ID { return ID{Scheme: "digest", ID: user + ":hash"} }
