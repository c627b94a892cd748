package zkcompat

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/concordkv/concord/test/cluster"
)

// testCreate creates a node of every mode and checks its name and Stat,
// and the errors create gives.
func testCreate(t *testing.T, tg *target) {
	c := tg.connect(t, connectOpts{})
	mustCreate(t, c, "/create", "")
	const ttl = 800 * time.Millisecond
	for _, tc := range []struct {
		name     string
		path     string
		create   func(path string) (string, error)
		sequence bool // the name gets a suffix: how many children the parent has had
		// owner is the Stat's ephemeralOwner, -1 for the session's ID;
		// ZooKeeper keeps a container or TTL marker there but shows 0
		owner     int64
		dataBytes int32
	}{
		{"persistent", "/create/p", func(p string) (string, error) { return c.Create(p, []byte("data"), zk.FlagPersistent, openACL) }, false, 0, 4},
		{"ephemeral", "/create/e", func(p string) (string, error) { return c.Create(p, []byte("e"), zk.FlagEphemeral, openACL) }, false, -1, 1},
		{"persistent-sequential", "/create/ps-", func(p string) (string, error) { return c.Create(p, nil, zk.FlagSequence, openACL) }, true, 0, 0},
		{"ephemeral-sequential", "/create/es-", func(p string) (string, error) {
			return c.Create(p, []byte("x"), zk.FlagEphemeralSequential, openACL)
		}, true, -1, 1},
		{"container", "/create/box", func(p string) (string, error) { return c.CreateContainer(p, nil, zk.FlagContainer, openACL) }, false, 0, 0},
		{"ttl", "/create/ttl", func(p string) (string, error) {
			return c.CreateTTL(p, []byte("t"), zk.FlagTTL, openACL, ttl)
		}, false, 0, 1},
		{"ttl-sequential", "/create/ttls-", func(p string) (string, error) {
			return c.CreateTTL(p, nil, zk.FlagPersistentSequentialWithTTL, openACL, ttl)
		}, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := mustStat(t, c, "/create")
			want := tc.path
			if tc.sequence {
				// the suffix counts the parent's child creates; the cversion
				// clients see also counts deletes: creates*2 - live children
				want = fmt.Sprintf("%s%010d", tc.path, (parent.Cversion+parent.NumChildren)/2)
			}
			got, err := tc.create(tc.path)
			if err != nil || got != want {
				t.Fatalf("create %s = %q, %v; want %q", tc.path, got, err, want)
			}
			owner := tc.owner
			if owner == -1 {
				owner = c.SessionID()
			}
			st := mustStat(t, c, got)
			if st.EphemeralOwner != owner {
				t.Errorf("ephemeralOwner = %#x, want %#x", st.EphemeralOwner, owner)
			}
			checkNewStat(t, st, tc.dataBytes)
			after := mustStat(t, c, "/create")
			if after.Cversion != parent.Cversion+1 || after.NumChildren != parent.NumChildren+1 || after.Pzxid != st.Czxid {
				t.Errorf("parent after create: cversion %d→%d, numChildren %d→%d, pzxid %d (child czxid %d)",
					parent.Cversion, after.Cversion, parent.NumChildren, after.NumChildren, after.Pzxid, st.Czxid)
			}
		})
	}
	t.Run("container-removed-after-last-child", func(t *testing.T) {
		mustCreate(t, c, "/create/box/child", "")
		if err := c.Delete("/create/box/child", -1); err != nil {
			t.Fatal(err)
		}
		waitGone(t, c, "/create/box", 10*time.Second)
	})
	t.Run("ttl-removed-after-ttl", func(t *testing.T) {
		waitGone(t, c, "/create/ttl", ttl+10*time.Second)
	})
	t.Run("ttl-kept-while-it-has-children", func(t *testing.T) {
		if _, err := c.CreateTTL("/create/ttl-parent", nil, zk.FlagTTL, openACL, ttl); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, c, "/create/ttl-parent/child", "")
		time.Sleep(3 * ttl) // a TTL's worth of nothing happening, with the reaper running every 200 ms
		mustStat(t, c, "/create/ttl-parent")
		if err := c.Delete("/create/ttl-parent/child", -1); err != nil {
			t.Fatal(err)
		}
		waitGone(t, c, "/create/ttl-parent", ttl+10*time.Second)
	})
	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			err  error
			want string
		}{
			{"no-parent", create(c, "/create/missing/x", zk.FlagPersistent, openACL), "NONODE"},
			{"exists", create(c, "/create/p", zk.FlagPersistent, openACL), "NODEEXISTS"},
			{"under-ephemeral", create(c, "/create/e/x", zk.FlagPersistent, openACL), "NOCHILDRENFOREPHEMERALS"},
			{"empty-acl", create(c, "/create/noacl", zk.FlagPersistent, nil), "INVALIDACL"},
			{"auth-acl-unauthenticated", create(c, "/create/authacl", zk.FlagPersistent, zk.AuthACL(zk.PermAll)), "INVALIDACL"},
			{"ttl-zero", createTTL(c, "/create/ttl0", 0), "BADARGUMENTS"},
			{"ttl-negative", createTTL(c, "/create/ttl-neg", -time.Millisecond), "BADARGUMENTS"},
		} {
			if got := codeOf(tc.err); got != tc.want {
				t.Errorf("%s: %s (%v), want %s", tc.name, got, tc.err, tc.want)
			}
		}
	})
}

func create(c *client, path string, flags int32, acl []zk.ACL) error {
	_, err := c.Create(path, nil, flags, acl)
	return err
}

func createTTL(c *client, path string, ttl time.Duration) error {
	_, err := c.CreateTTL(path, nil, zk.FlagTTL, openACL, ttl)
	return err
}

// checkNewStat checks the Stat of a node that was just created.
func checkNewStat(t *testing.T, st *zk.Stat, dataLength int32) {
	t.Helper()
	if st.Czxid <= 0 || st.Mzxid != st.Czxid || st.Pzxid != st.Czxid {
		t.Errorf("czxid %d, mzxid %d, pzxid %d: want all equal and positive", st.Czxid, st.Mzxid, st.Pzxid)
	}
	if st.Ctime != st.Mtime || !recent(st.Ctime) {
		t.Errorf("ctime %d, mtime %d: want equal and within a minute of now (%d)", st.Ctime, st.Mtime, time.Now().UnixMilli())
	}
	if st.Version != 0 || st.Cversion != 0 || st.Aversion != 0 || st.NumChildren != 0 || st.DataLength != dataLength {
		t.Errorf("stat %+v: want versions 0, no children, dataLength %d", *st, dataLength)
	}
}

// recent reports whether ms (since the epoch) is within a minute of now.
func recent(ms int64) bool {
	d := time.Since(time.UnixMilli(ms))
	return d > -time.Minute && d < time.Minute
}

// waitGone waits until path no longer exists.
func waitGone(t *testing.T, c *client, path string, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	if !cluster.Eventually(timeout, func() bool {
		ok, _, err := c.Exists(path)
		return err == nil && !ok
	}) {
		t.Fatalf("%s still exists after %v", path, timeout)
	}
	t.Logf("%s gone after %v", path, time.Since(start).Round(10*time.Millisecond))
}

// testReadWrite covers getData, setData, exists, getChildren2, delete and
// sync, with their version checks.
func testReadWrite(t *testing.T, tg *target) {
	c := tg.connect(t, connectOpts{})
	mustCreate(t, c, "/rw", "")
	big := bytes.Repeat([]byte("0123456789abcdef\x00"), 100<<10/17) // 100 KiB with NULs
	for _, data := range [][]byte{nil, []byte("some-data"), big} {
		p, err := c.Create("/rw/d", data, zk.FlagPersistent, openACL)
		if err != nil {
			t.Fatal(err)
		}
		got, st, err := c.Get(p)
		if err != nil || !bytes.Equal(got, data) || st.DataLength != int32(len(data)) {
			t.Fatalf("get %d bytes = %d bytes, dataLength %d, %v", len(data), len(got), st.DataLength, err)
		}
		if err := c.Delete(p, 0); err != nil {
			t.Fatal(err)
		}
	}

	mustCreate(t, c, "/rw/n", "some-data")
	created := mustStat(t, c, "/rw/n")
	st, err := c.Set("/rw/n", []byte("updated"), -1)
	if err != nil || st.Version != 1 || st.Czxid != created.Czxid || st.Mzxid <= created.Mzxid ||
		st.Mtime < st.Ctime || st.DataLength != 7 || st.Pzxid != created.Pzxid {
		t.Fatalf("set any version = %+v, %v (created %+v)", st, err, created)
	}
	if _, err := c.Set("/rw/n", []byte("stale"), 0); codeOf(err) != "BADVERSION" {
		t.Fatalf("set with stale version: %v", err)
	}
	if st, err := c.Set("/rw/n", []byte("v2"), 1); err != nil || st.Version != 2 {
		t.Fatalf("set with version 1 = %+v, %v", st, err)
	}
	if data, st, err := c.Get("/rw/n"); err != nil || string(data) != "v2" || st.Version != 2 {
		t.Fatalf("get = %q %+v %v", data, st, err)
	}
	if _, _, err := c.Get("/rw/missing"); codeOf(err) != "NONODE" {
		t.Fatalf("get missing: %v", err)
	}
	if _, err := c.Set("/rw/missing", nil, -1); codeOf(err) != "NONODE" {
		t.Fatalf("set missing: %v", err)
	}
	if ok, _, err := c.Exists("/rw/missing"); ok || err != nil {
		t.Fatalf("exists missing = %v, %v", ok, err)
	}

	for _, name := range []string{"b", "a", "c"} {
		mustCreate(t, c, "/rw/n/"+name, "")
	}
	last := mustStat(t, c, "/rw/n/c")
	kids, st, err := c.Children("/rw/n")
	slices.Sort(kids)
	if err != nil || !slices.Equal(kids, []string{"a", "b", "c"}) || st.NumChildren != 3 || st.Cversion != 3 ||
		st.Pzxid != last.Czxid || st.Version != 2 {
		t.Fatalf("children = %v %+v %v", kids, st, err)
	}
	if _, _, err := c.Children("/rw/missing"); codeOf(err) != "NONODE" {
		t.Fatalf("children of missing: %v", err)
	}

	for _, tc := range []struct {
		path    string
		version int32
		want    string
	}{
		{"/rw/n", -1, "NOTEMPTY"},
		{"/rw/missing", -1, "NONODE"},
		{"/rw/n/a", 5, "BADVERSION"},
		{"/rw/n/a", 0, "OK"},
		{"/rw/n/b", -1, "OK"},
	} {
		if got := codeOf(c.Delete(tc.path, tc.version)); got != tc.want {
			t.Errorf("delete %s version %d: %s, want %s", tc.path, tc.version, got, tc.want)
		}
	}
	st = mustStat(t, c, "/rw/n")
	if st.NumChildren != 1 || st.Cversion != 5 || st.Pzxid <= last.Czxid { // a delete counts as a change of the children
		t.Errorf("after deleting two children: %+v (last create %d)", st, last.Czxid)
	}

	if p, err := c.Sync("/rw/n"); err != nil || p != "/rw/n" {
		t.Errorf("sync = %q, %v", p, err)
	}

	// an operation the server does not do is refused with an error code
	// and the session goes on: ZooKeeper's reconfig is off by default
	// (RECONFIGDISABLED), a server without it says UNIMPLEMENTED
	id := c.SessionID()
	_, err = c.IncrementalReconfig(nil, []string{"3"}, -1)
	if code := codeOf(err); code != "RECONFIGDISABLED" && code != "UNIMPLEMENTED" {
		t.Errorf("reconfig: %v, want RECONFIGDISABLED or UNIMPLEMENTED", err)
	}
	if _, _, err := c.Get("/rw/n"); err != nil || c.SessionID() != id {
		t.Errorf("after an unsupported op: get %v, session %#x (was %#x)", err, c.SessionID(), id)
	}
	select {
	case s := <-c.states:
		t.Errorf("the connection changed state to %v after an unsupported op", s)
	default:
	}
}

// testACL covers getACL/setACL, the world, auth, digest and ip schemes and
// each permission, and digest authentication.
func testACL(t *testing.T, tg *target) {
	c := tg.connect(t, connectOpts{})
	other := tg.connect(t, connectOpts{})
	mustCreate(t, c, "/acl", "")

	acl, st, err := c.GetACL("/acl")
	if err != nil || !slices.Equal(acl, openACL) || st.Aversion != 0 {
		t.Fatalf("default acl = %v %+v %v", acl, st, err)
	}
	readOnly := zk.WorldACL(zk.PermRead)
	if st, err := c.SetACL("/acl", readOnly, 0); err != nil || st.Aversion != 1 || st.Version != 0 {
		t.Fatalf("setACL version 0 = %+v, %v", st, err)
	}
	if _, err := c.SetACL("/acl", openACL, 0); codeOf(err) != "NOAUTH" {
		// without ADMIN, the version is not even looked at
		t.Fatalf("setACL without ADMIN: %v", err)
	}
	if acl, st, err := c.GetACL("/acl"); err != nil || !slices.Equal(acl, readOnly) || st.Aversion != 1 {
		t.Fatalf("acl = %v %+v %v", acl, st, err)
	}
	if _, _, err := c.GetACL("/acl/missing"); codeOf(err) != "NONODE" {
		t.Fatalf("getACL missing: %v", err)
	}

	perms := func(p int32) []zk.ACL { return zk.WorldACL(p) }
	for _, tc := range []struct {
		name string
		acl  []zk.ACL
		op   func(path string) error
		want string
	}{
		{"read-denied", perms(zk.PermAll &^ zk.PermRead), func(p string) error { _, _, err := c.Get(p); return err }, "NOAUTH"},
		{"read-allowed", perms(zk.PermRead), func(p string) error { _, _, err := c.Get(p); return err }, "OK"},
		{"children-denied", perms(zk.PermAll &^ zk.PermRead), func(p string) error { _, _, err := c.Children(p); return err }, "NOAUTH"},
		{"exists-needs-nothing", perms(0), func(p string) error { _, _, err := c.Exists(p); return err }, "OK"},
		{"getacl-denied", perms(zk.PermAll &^ (zk.PermRead | zk.PermAdmin)), func(p string) error { _, _, err := c.GetACL(p); return err }, "NOAUTH"},
		{"getacl-with-admin", perms(zk.PermAdmin), func(p string) error { _, _, err := c.GetACL(p); return err }, "OK"},
		{"write-denied", perms(zk.PermAll &^ zk.PermWrite), func(p string) error { _, err := c.Set(p, nil, -1); return err }, "NOAUTH"},
		{"create-denied", perms(zk.PermAll &^ zk.PermCreate), func(p string) error { return create(c, p+"/x", 0, openACL) }, "NOAUTH"},
		{"create-allowed", perms(zk.PermCreate), func(p string) error { return create(c, p+"/x", 0, openACL) }, "OK"},
		{"admin-denied", perms(zk.PermAll &^ zk.PermAdmin), func(p string) error { _, err := c.SetACL(p, openACL, -1); return err }, "NOAUTH"},
		{"ip-allowed", []zk.ACL{{Perms: zk.PermRead, Scheme: "ip", ID: "127.0.0.1"}}, func(p string) error { _, _, err := c.Get(p); return err }, "OK"},
		{"ip-range-allowed", []zk.ACL{{Perms: zk.PermRead, Scheme: "ip", ID: "127.0.0.0/8"}}, func(p string) error { _, _, err := c.Get(p); return err }, "OK"},
		{"ip-denied", []zk.ACL{{Perms: zk.PermRead, Scheme: "ip", ID: "10.0.0.0/8"}}, func(p string) error { _, _, err := c.Get(p); return err }, "NOAUTH"},
		{"digest-unauthenticated", zk.DigestACL(zk.PermAll, "alice", "secret"), func(p string) error {
			mustSync(t, other, p)
			_, _, err := other.Get(p)
			return err
		}, "NOAUTH"},
	} {
		p := "/acl-" + tc.name
		if _, err := c.Create(p, nil, zk.FlagPersistent, tc.acl); err != nil {
			t.Fatalf("%s: create with %v: %v", tc.name, tc.acl, err)
		}
		if got := codeOf(tc.op(p)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// DELETE is checked on the parent
	if _, err := c.Create("/acl-nodelete", nil, zk.FlagPersistent, perms(zk.PermAll&^zk.PermDelete)); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, "/acl-nodelete/x", "")
	if err := c.Delete("/acl-nodelete/x", -1); codeOf(err) != "NOAUTH" {
		t.Errorf("delete under a parent without DELETE: %v", err)
	}

	t.Run("digest", func(t *testing.T) {
		p := "/acl-digest-unauthenticated"
		wrong := tg.connect(t, connectOpts{})
		if err := wrong.AddAuth("digest", []byte("alice:wrong")); err != nil {
			t.Fatalf("addAuth: %v", err)
		}
		mustSync(t, wrong, p)
		if _, _, err := wrong.Get(p); codeOf(err) != "NOAUTH" {
			t.Errorf("get with the wrong password: %v", err)
		}
		alice := tg.connect(t, connectOpts{})
		if err := alice.AddAuth("digest", []byte("alice:secret")); err != nil {
			t.Fatalf("addAuth: %v", err)
		}
		mustSync(t, alice, p)
		if _, err := alice.Set(p, []byte("mine"), -1); err != nil {
			t.Errorf("set as alice: %v", err)
		}
		// the auth scheme stands for the creator's authenticated identities
		if _, err := alice.Create("/acl-auth", nil, zk.FlagPersistent, zk.AuthACL(zk.PermAll)); err != nil {
			t.Fatal(err)
		}
		acl, _, err := alice.GetACL("/acl-auth")
		if want := zk.DigestACL(zk.PermAll, "alice", "secret"); err != nil || !slices.Equal(acl, want) {
			t.Errorf("acl of an auth-scheme node = %v, %v; want %v", acl, err, want)
		}
		mustSync(t, other, "/acl-auth")
		if _, _, err := other.Get("/acl-auth"); codeOf(err) != "NOAUTH" {
			t.Errorf("get of alice's node by another session: %v", err)
		}
	})
}

// testMulti covers multi: success, check, atomic failure with per-op
// error codes, and requests the client library does not validate.
func testMulti(t *testing.T, tg *target) {
	c := tg.connect(t, connectOpts{})
	mustCreate(t, c, "/multi", "")
	mustCreate(t, c, "/multi/a", "")

	res, err := c.Multi(
		&zk.CreateRequest{Path: "/multi/b", Data: []byte("b"), Acl: openACL},
		&zk.CreateRequest{Path: "/multi/b/child", Acl: openACL}, // sees the create before it
		&zk.CreateRequest{Path: "/multi/s-", Acl: openACL, Flags: zk.FlagSequence},
		&zk.SetDataRequest{Path: "/multi/a", Data: []byte("x"), Version: 0},
		&zk.CheckVersionRequest{Path: "/multi/a", Version: 1},
		&zk.DeleteRequest{Path: "/multi/b/child", Version: -1},
	)
	if err != nil {
		t.Fatalf("multi: %v (%v)", err, codes(res))
	}
	if want := []string{"OK", "OK", "OK", "OK", "OK", "OK"}; !slices.Equal(codes(res), want) {
		t.Fatalf("multi codes = %v", codes(res))
	}
	if res[0].String != "/multi/b" || res[2].String != "/multi/s-0000000002" || res[3].Stat == nil || res[3].Stat.Version != 1 {
		t.Fatalf("multi results = %+v %+v %+v", res[0], res[2], res[3])
	}
	a, b := mustStat(t, c, "/multi/a"), mustStat(t, c, "/multi/b")
	if a.Mzxid != b.Czxid {
		t.Errorf("ops of one multi have different zxids: set %d, create %d", a.Mzxid, b.Czxid)
	}

	for _, tc := range []struct {
		name string
		ops  []any
		want []string
	}{
		{"check-fails", []any{
			&zk.CheckVersionRequest{Path: "/multi/a", Version: 0},
			&zk.CreateRequest{Path: "/multi/c", Acl: openACL},
		}, []string{"BADVERSION", "RUNTIMEINCONSISTENCY"}},
		{"fails-in-the-middle", []any{
			&zk.CreateRequest{Path: "/multi/d", Acl: openACL},
			&zk.SetDataRequest{Path: "/multi/a", Data: []byte("y"), Version: -1},
			&zk.CreateRequest{Path: "/multi/b", Acl: openACL},
			&zk.DeleteRequest{Path: "/multi/a", Version: -1},
		}, []string{"OK", "OK", "NODEEXISTS", "RUNTIMEINCONSISTENCY"}},
		{"delete-not-empty", []any{
			&zk.CreateRequest{Path: "/multi/b/x", Acl: openACL},
			&zk.DeleteRequest{Path: "/multi/b", Version: -1},
		}, []string{"OK", "NOTEMPTY"}},
		{"invalid-path", []any{
			&zk.CreateRequest{Path: "/multi/e", Acl: openACL},
			&zk.CreateRequest{Path: "/multi/e/", Acl: openACL}, // its parent exists: the op before made it
		}, []string{"OK", "BADARGUMENTS"}},
		{"dot-name", []any{&zk.CreateRequest{Path: "/multi/.", Acl: openACL}}, []string{"BADARGUMENTS"}},
		{"empty-path-element", []any{ // the parent "/multi/" is looked up first
			&zk.CreateRequest{Path: "/multi//bad", Acl: openACL},
		}, []string{"NONODE"}},
		{"relative-path", []any{&zk.CreateRequest{Path: "multi-relative", Acl: openACL}}, []string{"BADARGUMENTS"}},
		{"dot-path", []any{&zk.SetDataRequest{Path: "/multi/./a", Version: -1}}, []string{"BADARGUMENTS"}},
	} {
		res, err := c.Multi(tc.ops...)
		if got := codes(res); err == nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: multi = %v (%v), want %v", tc.name, got, err, tc.want)
		}
	}
	// nothing of the failed multis happened
	if data, st, err := c.Get("/multi/a"); err != nil || string(data) != "x" || st.Version != 1 {
		t.Errorf("/multi/a after failed multis = %q %+v %v", data, st, err)
	}
	for _, p := range []string{"/multi/c", "/multi/d", "/multi/e", "/multi/b/x"} {
		if ok, _, _ := c.Exists(p); ok {
			t.Errorf("%s exists after a failed multi", p)
		}
	}
	if res, err := c.Multi(); err != nil || len(res) != 0 {
		t.Errorf("empty multi = %v, %v", res, err)
	}
}

// codes names each op's result of a multi.
func codes(res []zk.MultiResponse) []string {
	var out []string
	for _, r := range res {
		out = append(out, codeOf(r.Error))
	}
	return out
}
