package znode

import (
	"slices"
	"testing"

	"github.com/concordkv/concord/internal/mvcc"
)

// revoke revokes the session's lease and deletes its keys in one revision,
// as the apply step of a lease revoke does.
func (f *fixture) revoke(id int64) {
	f.t.Helper()
	keys, err := f.leases.Revoke(id)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.tree.Write(func(b *mvcc.Batch) error {
		req := mvcc.TxnRequest{}
		for _, k := range keys {
			req.Success = append(req.Success, mvcc.Op{Type: mvcc.OpDelete, Key: k})
		}
		_, err := b.Txn(&req)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
}

func TestStat(t *testing.T) {
	f := newFixture(t)
	res := f.must(create("/a", "hello", Persistent))
	created := f.store.Rev()
	if res[0].Path != "/a" {
		t.Fatalf("path %q", res[0].Path)
	}
	want := Stat{Czxid: created, Mzxid: created, Ctime: 1000, Mtime: 1000, DataLength: 5, Pzxid: created}
	if res[0].Stat != want || f.stat("/a") != want {
		t.Fatalf("stat after create: result %+v, read %+v, want %+v", res[0].Stat, f.stat("/a"), want)
	}

	f.must(set("/a", "hi", 0))
	setRev := f.store.Rev()
	want.Mzxid, want.Mtime, want.Version, want.DataLength = setRev, 2000, 1, 2
	if got := f.stat("/a"); got != want {
		t.Fatalf("stat after set: %+v, want %+v", got, want)
	}

	f.must(create("/a/x", "", Persistent))
	x := f.store.Rev()
	f.must(create("/a/y", "", Persistent))
	f.must(del("/a/x", -1))
	delRev := f.store.Rev()
	// Two creations and one deletion: stored cversion 2, reported 2*2-1 = 3.
	want.Cversion, want.NumChildren, want.Pzxid = 3, 1, delRev
	if got := f.stat("/a"); got != want {
		t.Fatalf("stat after children: %+v, want %+v (x created at %d)", got, want, x)
	}

	rev := f.store.Rev()
	f.must(setACL("/a", []ACL{{Perms: PermAll, ID: ID{"world", "anyone"}}}, 0))
	want.Aversion = 1
	if got := f.stat("/a"); got != want || f.store.Rev() != rev {
		t.Fatalf("stat after setACL: %+v, want %+v; rev %d -> %d", got, want, rev, f.store.Rev())
	}

	f.must(create("/e", "", Ephemeral), create("/c", "", Container), createTTL("/t", PersistentTTL, 5000))
	for path, owner := range map[string]int64{"/e": session, "/c": 0, "/t": 0} {
		if got := f.stat(path).EphemeralOwner; got != owner {
			t.Errorf("%s: ephemeralOwner %d, want %d", path, got, owner)
		}
	}
}

func TestRootStat(t *testing.T) {
	f := newFixture(t)
	// Like ZooKeeper's, an empty root has the child zookeeper, which was
	// never created: cversion 0*2-1.
	if got := f.stat("/"); got != (Stat{Cversion: -1, NumChildren: 1}) {
		t.Fatalf("empty root: %+v", got)
	}
	f.must(create("/a", "", Persistent))
	a := f.store.Rev()
	f.must(create("/b", "", Persistent))
	b := f.store.Rev()
	if got, want := f.stat("/"), (Stat{Cversion: 1, NumChildren: 3, Pzxid: b}); got != want {
		t.Fatalf("root: %+v, want %+v (a at %d)", got, want, a)
	}
	f.must(set("/", "root data", 0))
	got := f.stat("/")
	if got.Version != 1 || got.DataLength != 9 || got.Czxid != 0 || got.Ctime != 0 || got.Mzxid != f.store.Rev() {
		t.Fatalf("root after set: %+v", got)
	}
	data, _, err := f.tree.Get("/")
	if err != nil || string(data) != "root data" {
		t.Fatalf("get /: %q %v", data, err)
	}
}

func TestSequential(t *testing.T) {
	f := newFixture(t)
	f.must(create("/q", "", Persistent))
	var names []string
	for i := range 3 {
		r := f.must(create("/q/n-", "", EphemeralSequential))
		names = append(names, r[0].Path)
		if i == 1 {
			f.must(del(r[0].Path, -1)) // deletions do not reuse numbers
		}
	}
	f.must(create("/q/plain", "", Persistent))
	r := f.must(create("/q/", "", PersistentSequential))
	names = append(names, r[0].Path)
	want := []string{"/q/n-0000000000", "/q/n-0000000001", "/q/n-0000000002", "/q/0000000004"}
	if !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	// A multi numbers from the cversion its earlier ops left.
	r = f.must(create("/q/m", "", PersistentSequential), create("/q/m", "", PersistentSequential))
	if r[0].Path != "/q/m0000000005" || r[1].Path != "/q/m0000000006" {
		t.Fatalf("multi names %q %q", r[0].Path, r[1].Path)
	}
}

func TestSequentialWraps(t *testing.T) {
	f := newFixture(t)
	f.must(create("/q", "", Persistent))
	f.tree.mu.Lock()
	n := f.tree.getLocked("/q")
	n.cversion = 1<<31 - 1
	f.tree.setLocked(n)
	f.tree.commitLocked()
	f.tree.mu.Unlock()
	a := f.must(create("/q/s", "", PersistentSequential))[0].Path
	b := f.must(create("/q/s", "", PersistentSequential))[0].Path
	if a != "/q/s2147483647" || b != "/q/s-2147483648" {
		t.Fatalf("names around the wrap: %q %q", a, b)
	}
}

func TestContainer(t *testing.T) {
	f := newFixture(t)
	f.must(create("/c", "", Container), create("/c/inner", "", Container))
	f.must(create("/c/inner/x", "", Ephemeral), create("/c/y", "", Persistent))
	f.must(del("/c/y", -1))
	if !f.exists("/c") {
		t.Fatal("container deleted while it still has a child")
	}
	f.must(create("/empty", "", Container))
	rev := f.store.Rev()
	// The session's expiry deletes /c/inner/x, which empties /c/inner, whose
	// deletion empties /c: all in the revocation's revision.
	f.revoke(session)
	if f.exists("/c/inner/x") || f.exists("/c/inner") || f.exists("/c") {
		t.Fatal("containers survived the deletion of their last child")
	}
	if f.store.Rev() != rev+1 {
		t.Fatalf("revoke and container deletions took revisions %d..%d", rev+1, f.store.Rev())
	}
	if !f.exists("/empty") {
		t.Fatal("a container that never had a child was deleted")
	}
	// A multi may delete the last child and create another: the container
	// stays.
	f.leases.Grant(session, 10_000)
	f.must(create("/d", "", Container), create("/d/a", "", Persistent))
	f.must(del("/d/a", -1), create("/d/b", "", Persistent))
	if !f.exists("/d") {
		t.Fatal("container deleted mid-multi")
	}
	// An etcd delete of the last child deletes the container too.
	f.etcdDelete("/d/b")
	if f.exists("/d") {
		t.Fatal("container survived an etcd delete of its last child")
	}
}

func TestEphemerals(t *testing.T) {
	f := newFixture(t)
	f.leases.Grant(8, 10_000)
	f.must(create("/app", "", Persistent))
	f.must(create("/app/a", "", Ephemeral), create("/app/b", "", EphemeralSequential), create("/other", "", Ephemeral))
	f.apply(Request{Session: 8, Ops: []Op{create("/app/c", "", Ephemeral)}})
	if got := f.tree.Ephemerals(session, "/app"); !slices.Equal(got, []string{"/app/a", "/app/b0000000001"}) {
		t.Fatalf("ephemerals under /app: %v", got)
	}
	if got := f.tree.Ephemerals(session, "/"); len(got) != 3 {
		t.Fatalf("all ephemerals: %v", got)
	}
	before := f.stat("/app")
	f.revoke(session)
	after := f.stat("/app")
	if after.NumChildren != 1 || after.Pzxid != f.store.Rev() || after.Cversion != before.Cversion+2 {
		t.Fatalf("parent after expiry: %+v (before %+v)", after, before)
	}
	if names, _, _ := f.tree.Children("/app"); !slices.Equal(names, []string{"c"}) {
		t.Fatalf("children after expiry: %v", names)
	}
	// The session is gone: its requests fail.
	if r := f.apply(Request{Session: session, Ops: []Op{create("/p", "", Persistent)}}); r[0].Err != ErrSessionExpired {
		t.Fatalf("request of an expired session: %v", r[0].Err)
	}
}

func TestExpire(t *testing.T) {
	f := newFixture(t)
	f.must(createTTL("/t", PersistentTTL, 1000), createTTL("/u", PersistentTTL, 1000), create("/p", "", Persistent))
	created := f.store.Rev()
	f.must(create("/u/child", "", Persistent))
	f.must(set("/t", "changed", -1))
	// Stale zxid, a node with children, a non-TTL node: nothing happens,
	// and nothing fails.
	res := f.apply(Request{Ops: []Op{{Kind: OpExpire, Path: "/t", Zxid: created}, {Kind: OpExpire, Path: "/u", Zxid: created}, {Kind: OpExpire, Path: "/p", Zxid: created}, {Kind: OpExpire, Path: "/missing"}}})
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("expire failed: %v", r.Err)
		}
	}
	if !f.exists("/t") || !f.exists("/u") || !f.exists("/p") {
		t.Fatal("expire deleted a node that did not qualify")
	}
	f.apply(Request{Ops: []Op{{Kind: OpExpire, Path: "/t", Zxid: f.stat("/t").Mzxid}}})
	if f.exists("/t") {
		t.Fatal("expire kept an unmodified TTL node")
	}
}

func TestExpired(t *testing.T) {
	f := newFixture(t)
	f.must(createTTL("/t", PersistentTTL, 500), createTTL("/u", PersistentSequentialTTL, 5000), createTTL("/w", PersistentTTL, 500))
	f.must(create("/w/c", "", Persistent))
	mtime := f.stat("/t").Mtime
	if ops := f.tree.ExpiredTTL(mtime+500, 10); len(ops) != 0 {
		t.Fatalf("expired at exactly the TTL: %+v", ops)
	}
	ops := f.tree.ExpiredTTL(mtime+501, 10)
	if len(ops) != 1 || ops[0].Path != "/t" || ops[0].Zxid != f.stat("/t").Mzxid || ops[0].Kind != OpExpire {
		t.Fatalf("expired: %+v", ops)
	}
	if ops := f.tree.ExpiredTTL(mtime+1_000_000, 1); len(ops) != 1 {
		t.Fatalf("limit 1 gave %d", len(ops))
	}
}

func TestChildrenSkipsSubtrees(t *testing.T) {
	f := newFixture(t)
	f.must(create("/a", "", Persistent), create("/a/b", "", Persistent), create("/a/b/c", "", Persistent), create("/a/b!", "", Persistent), create("/a/b0", "", Persistent))
	f.etcdPut("/a/x/y/z", "orphan", 0) // /a/x does not exist
	f.etcdPut("/a//weird", "", 0)
	f.etcdPut("/a/.", "", 0)
	f.etcdPut("no-slash", "", 0)
	f.must(create("/a/gone", "", Persistent))
	f.must(del("/a/gone", -1))
	names, st, err := f.tree.Children("/a")
	if err != nil || !slices.Equal(names, []string{"b", "b!", "b0"}) || st.NumChildren != 3 {
		t.Fatalf("children of /a: %v %+v %v", names, st, err)
	}
	visits := 0
	f.store.Seek([]byte("/a/"), []byte("/a0"), func([]byte, bool) []byte { visits++; return nil })
	if n, err := f.tree.AllChildrenNumber("/a"); err != nil || n != 7 {
		t.Fatalf("all children of /a: %d %v (keys below: %d)", n, err, visits)
	}
	names, _, _ = f.tree.Children("/")
	if !slices.Equal(names, []string{"a", "zookeeper"}) {
		t.Fatalf("children of /: %v", names)
	}
	// The orphan is reachable by path, and can be deleted (its missing
	// parent reads as open).
	if data, _, err := f.tree.Get("/a/x/y/z"); err != nil || string(data) != "orphan" {
		t.Fatalf("orphan: %q %v", data, err)
	}
	if _, err := f.tree.Exists("/a/x"); err != ErrNoNode {
		t.Fatalf("orphan's parent: %v", err)
	}
	f.must(del("/a/x/y/z", -1))
	if _, _, err := f.tree.Children("/nope"); err != ErrNoNode {
		t.Fatalf("children of a missing node: %v", err)
	}
	if _, _, err := f.tree.Children("/a/"); err != ErrBadArguments {
		t.Fatalf("children of a bad path: %v", err)
	}
}

func TestACLRead(t *testing.T) {
	f := newFixture(t)
	alice := digest("alice")
	f.apply(Request{Session: session, Auth: []ID{alice, {"ip", "127.0.0.1"}}, Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL,
		ACL: []ACL{{PermAll, ID{"auth", ""}}, {PermRead, ID{"world", "anyone"}}, {PermRead, ID{"world", "anyone"}}}}}})
	acl, st, err := f.tree.ACL("/a")
	want := []ACL{{PermAll, alice}, {PermRead, ID{"world", "anyone"}}}
	if err != nil || !slices.Equal(acl, want) || st.Aversion != 0 {
		t.Fatalf("acl: %v %+v %v", acl, st, err)
	}
	if err := f.tree.Allowed("/a", PermRead, nil); err != nil {
		t.Fatalf("read by anyone: %v", err)
	}
	if err := f.tree.Allowed("/a", PermWrite, nil); err != ErrNoAuth {
		t.Fatalf("write by anyone: %v", err)
	}
	if err := f.tree.Allowed("/a", PermWrite, []ID{alice}); err != nil {
		t.Fatalf("write by alice: %v", err)
	}
	if err := f.tree.Allowed("/missing", PermRead, nil); err != ErrNoNode {
		t.Fatalf("missing: %v", err)
	}
	f.etcdPut("/etcd", "v", 0)
	if acl, _, _ := f.tree.ACL("/etcd"); !slices.Equal(acl, OpenACL) {
		t.Fatalf("etcd key's acl: %v", acl)
	}
	if acl, _, _ := f.tree.ACL("/"); !slices.Equal(acl, OpenACL) {
		t.Fatalf("root acl: %v", acl)
	}
}

func TestEtcdWrites(t *testing.T) {
	f := newFixture(t)
	f.must(create("/a", "", Persistent)) // stamps time 1000
	f.etcdPut("/a/k", "v1", 0)
	k := f.store.Rev()
	f.etcdPut("/a/k", "v2", 0)
	st := f.stat("/a/k")
	if st.Czxid != k || st.Version != 1 || st.Ctime != 1000 || st.Mtime != 1000 || st.Pzxid != k {
		t.Fatalf("etcd key: %+v", st)
	}
	if p := f.stat("/a"); p.NumChildren != 1 || p.Cversion != 1 || p.Pzxid != k {
		t.Fatalf("parent of an etcd key: %+v", p)
	}
	f.etcdPut("/a/e", "", session)
	if r := f.apply(Request{Session: session, Ops: []Op{create("/a/e/x", "", Persistent)}}); r[0].Err != ErrNoChildrenForEphemerals {
		t.Fatalf("child of an etcd key with a lease: %v", r[0].Err)
	}
}
