package zkcompat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestDifferential runs the same scripted sessions against real ZooKeeper
// 3.8 (the reference) and the target under test (the candidate) and
// compares every result: error codes, paths, data, child lists, ACLs and
// Stats. Numbers that legitimately differ are normalised, keeping what must
// agree: zxids are named by first appearance (Z1, Z2...), so which zxids are
// equal is compared, and their order is compared at the end; ephemeral
// owners are named by the script's session; times are checked to be recent
// and ctime == mtime for unmodified nodes. Versions, cversion, aversion,
// dataLength and numChildren are compared exactly.
//
// With CONCORD_ZK_TARGET=zookeeper the candidate is a second ZooKeeper
// ensemble, which checks that the normalisation hides nothing real.
func TestDifferential(t *testing.T) {
	candidate := startTarget(t) // first: it skips when the front end is not built
	reference := startKind(t, zookeeperKind)
	want := runScript(t, reference, diffScript)
	got := runScript(t, candidate, diffScript)
	var diffs []string
	for i, s := range diffScript {
		if got.results[i] != want.results[i] {
			diffs = append(diffs, fmt.Sprintf("step %d, %s: %s\n\tzookeeper: %s\n\t%-9s: %s",
				i+1, s.who, s.text, want.results[i], candidate.kind, got.results[i]))
		}
	}
	if w, g := want.zxids.order(), got.zxids.order(); w != g {
		diffs = append(diffs, fmt.Sprintf("zxid order\n\tzookeeper: %s\n\t%-9s: %s", w, candidate.kind, g))
	}
	if len(diffs) > 0 {
		t.Errorf("%d differences from ZooKeeper 3.8:\n%s", len(diffs), strings.Join(diffs, "\n"))
	}
	t.Logf("%d steps compared", len(diffScript))
}

// dstep is one step of a scripted session: an operation by one of the
// script's sessions, and how to describe its result.
type dstep struct {
	who  string // the session, by name; sessions connect on first use
	text string // the operation, for humans
	run  func(r *scriptRun, c *zk.Conn) string
}

// scriptRun is one run of the script against one target.
type scriptRun struct {
	tg       *target
	sessions map[string]*client
	closed   map[string]bool
	ids      map[int64]string // session ID -> script name
	zxids    *labels
	results  []string
}

// runScript runs every step against tg, all sessions on its first member
// so that each read sees every write before it.
func runScript(t *testing.T, tg *target, script []dstep) *scriptRun {
	t.Helper()
	r := &scriptRun{tg: tg, sessions: map[string]*client{}, closed: map[string]bool{}, ids: map[int64]string{}, zxids: newLabels("Z")}
	for i, s := range script {
		if r.closed[s.who] {
			t.Fatalf("step %d: session %s is closed", i+1, s.who)
		}
		c, ok := r.sessions[s.who]
		if !ok {
			c = tg.connect(t, connectOpts{timeout: 10 * time.Second, members: []int{0}})
			r.sessions[s.who] = c
			r.ids[c.SessionID()] = s.who
		}
		r.results = append(r.results, s.run(r, c.Conn))
	}
	return r
}

// stat describes st with zxids and owners named.
func (r *scriptRun) stat(st *zk.Stat) string {
	mtime := "=ctime"
	if st.Mtime != st.Ctime || st.Version > 0 {
		mtime = timeName(st.Mtime)
		if st.Mtime < st.Ctime {
			mtime = fmt.Sprintf("before-ctime(%d<%d)", st.Mtime, st.Ctime)
		}
	}
	owner := "0"
	if st.EphemeralOwner != 0 {
		owner = r.ids[st.EphemeralOwner]
		if owner == "" {
			owner = fmt.Sprintf("unknown(%#x)", st.EphemeralOwner)
		}
	}
	return fmt.Sprintf("{czxid=%s mzxid=%s pzxid=%s ctime=%s mtime=%s version=%d cversion=%d aversion=%d owner=%s len=%d children=%d}",
		r.zxids.name(st.Czxid), r.zxids.name(st.Mzxid), r.zxids.name(st.Pzxid), timeName(st.Ctime), mtime,
		st.Version, st.Cversion, st.Aversion, owner, st.DataLength, st.NumChildren)
}

// timeName is "T" for a recent time, "0" for zero (the root's), and the
// number itself otherwise.
func timeName(ms int64) string {
	switch {
	case ms == 0:
		return "0"
	case recent(ms):
		return "T"
	default:
		return fmt.Sprintf("not-recent(%d)", ms)
	}
}

// order lists the names in the order of the zxids they stand for.
func (l *labels) order() string {
	vals := slices.Sorted(func(yield func(int64) bool) {
		for v := range l.names {
			if !yield(v) {
				return
			}
		}
	})
	names := make([]string, len(vals))
	for i, v := range vals {
		names[i] = l.names[v]
	}
	return strings.Join(names, " < ")
}

// result describes an operation's outcome: its error code, and what
// describe says when it succeeded.
func result(err error, describe func() string) string {
	if err != nil {
		return codeOf(err)
	}
	return "OK " + describe()
}

func dCreate(who, path, data string, flags int32) dstep {
	return dstep{who, fmt.Sprintf("create %s %q flags=%d", path, data, flags), func(r *scriptRun, c *zk.Conn) string {
		p, err := c.Create(path, []byte(data), flags, openACL)
		return result(err, func() string { return p })
	}}
}

func dCreateACL(who, path string, acl []zk.ACL) dstep {
	return dstep{who, fmt.Sprintf("create %s acl=%v", path, acl), func(r *scriptRun, c *zk.Conn) string {
		p, err := c.Create(path, nil, zk.FlagPersistent, acl)
		return result(err, func() string { return p })
	}}
}

func dContainer(who, path string) dstep {
	return dstep{who, "createContainer " + path, func(r *scriptRun, c *zk.Conn) string {
		p, err := c.CreateContainer(path, nil, zk.FlagContainer, openACL)
		return result(err, func() string { return p })
	}}
}

func dTTL(who, path string, flags int32, ttl time.Duration) dstep {
	return dstep{who, fmt.Sprintf("createTTL %s flags=%d ttl=%v", path, flags, ttl), func(r *scriptRun, c *zk.Conn) string {
		p, err := c.CreateTTL(path, []byte("t"), flags, openACL, ttl)
		return result(err, func() string { return p })
	}}
}

func dDelete(who, path string, version int32) dstep {
	return dstep{who, fmt.Sprintf("delete %s version=%d", path, version), func(r *scriptRun, c *zk.Conn) string {
		return result(c.Delete(path, version), func() string { return "" })
	}}
}

func dExists(who, path string) dstep {
	return dstep{who, "exists " + path, func(r *scriptRun, c *zk.Conn) string {
		ok, st, err := c.Exists(path)
		return result(err, func() string {
			if !ok {
				return "missing"
			}
			return r.stat(st)
		})
	}}
}

func dGet(who, path string) dstep {
	return dstep{who, "get " + path, func(r *scriptRun, c *zk.Conn) string {
		data, st, err := c.Get(path)
		return result(err, func() string { return fmt.Sprintf("%q %s", data, r.stat(st)) })
	}}
}

func dSet(who, path, data string, version int32) dstep {
	return dstep{who, fmt.Sprintf("set %s %q version=%d", path, data, version), func(r *scriptRun, c *zk.Conn) string {
		st, err := c.Set(path, []byte(data), version)
		return result(err, func() string { return r.stat(st) })
	}}
}

func dGetACL(who, path string) dstep {
	return dstep{who, "getACL " + path, func(r *scriptRun, c *zk.Conn) string {
		acl, st, err := c.GetACL(path)
		return result(err, func() string { return fmt.Sprintf("%v %s", acl, r.stat(st)) })
	}}
}

func dSetACL(who, path string, acl []zk.ACL, version int32) dstep {
	return dstep{who, fmt.Sprintf("setACL %s %v version=%d", path, acl, version), func(r *scriptRun, c *zk.Conn) string {
		st, err := c.SetACL(path, acl, version)
		return result(err, func() string { return r.stat(st) })
	}}
}

func dChildren(who, path string) dstep {
	return dstep{who, "getChildren2 " + path, func(r *scriptRun, c *zk.Conn) string {
		kids, st, err := c.Children(path)
		return result(err, func() string { return fmt.Sprintf("%v %s", slices.Sorted(slices.Values(kids)), r.stat(st)) })
	}}
}

func dMulti(who string, ops ...any) dstep {
	var text []string
	for _, op := range ops {
		text = append(text, strings.TrimPrefix(fmt.Sprintf("%T%+v", op, op), "*zk."))
	}
	return dstep{who, "multi " + strings.Join(text, ", "), func(r *scriptRun, c *zk.Conn) string {
		res, err := c.Multi(ops...)
		var out []string
		for _, op := range res {
			switch {
			case op.Error != nil:
				out = append(out, codeOf(op.Error))
			case op.Stat != nil:
				out = append(out, r.stat(op.Stat))
			case op.String != "":
				out = append(out, op.String)
			default:
				out = append(out, "OK")
			}
		}
		return fmt.Sprintf("%s %v", codeOf(err), out)
	}}
}

func dSync(who, path string) dstep {
	return dstep{who, "sync " + path, func(r *scriptRun, c *zk.Conn) string {
		p, err := c.Sync(path)
		return result(err, func() string { return p })
	}}
}

func dAuth(who, scheme, cred string) dstep {
	return dstep{who, fmt.Sprintf("addAuth %s %s", scheme, cred), func(r *scriptRun, c *zk.Conn) string {
		return result(c.AddAuth(scheme, []byte(cred)), func() string { return "" })
	}}
}

// dClose closes the session; its ephemeral nodes go before closeSession
// returns.
func dClose(who string) dstep {
	return dstep{who, "closeSession", func(r *scriptRun, c *zk.Conn) string {
		c.Close()
		r.closed[who] = true
		return "OK"
	}}
}

// diffScript is what TestDifferential runs. Sessions a and b are plain,
// c authenticates; everything lives under /d except the root's own steps.
var diffScript = []dstep{
	// the root
	dGet("a", "/"),
	dExists("a", "/zookeeper"),
	dGetACL("a", "/"),
	dCreate("a", "/d", "top", zk.FlagPersistent),
	dChildren("a", "/"),
	dSet("a", "/", "rootdata", -1),
	dSet("a", "/", "again", 0),
	dGet("a", "/"),
	dSetACL("a", "/", openACL, 0),
	dGetACL("a", "/"),
	dDelete("a", "/", -1),
	dCreate("a", "/", "", zk.FlagPersistent),

	// create, and the errors it gives
	dCreate("a", "/d/p", "data", zk.FlagPersistent),
	dGet("a", "/d/p"),
	dCreate("a", "/d/p", "again", zk.FlagPersistent),
	dCreate("a", "/d/missing/child", "", zk.FlagPersistent),
	dCreate("a", "/d/empty", "", zk.FlagPersistent),
	dGet("a", "/d/empty"),
	dCreateACL("a", "/d/noacl", nil),
	dCreateACL("a", "/d/authacl", zk.AuthACL(zk.PermAll)),
	dContainer("a", "/d/box"),
	dExists("a", "/d/box"),
	dTTL("a", "/d/ttl", zk.FlagTTL, time.Hour),
	dExists("a", "/d/ttl"),
	dTTL("a", "/d/ttl-", zk.FlagPersistentSequentialWithTTL, time.Hour),
	dTTL("a", "/d/ttl0", zk.FlagTTL, 0),
	dChildren("a", "/d"),

	// versions
	dSet("a", "/d/p", "v1", -1),
	dSet("a", "/d/p", "v2", 1),
	dSet("a", "/d/p", "stale", 1),
	dSet("a", "/d/missing", "x", -1),
	dDelete("a", "/d/p", 0),
	dSetACL("a", "/d/p", zk.WorldACL(zk.PermAll), 3),
	dSetACL("a", "/d/p", zk.WorldACL(zk.PermAll), 0),
	dSetACL("a", "/d/p", zk.WorldACL(zk.PermAll), -1),
	dGetACL("a", "/d/p"),
	dGet("a", "/d/p"),
	dGetACL("a", "/d/missing"),

	// sequential names count the parent's child creates and deletes
	dCreate("a", "/d/seq", "", zk.FlagPersistent),
	dCreate("a", "/d/seq/s-", "", zk.FlagSequence),
	dCreate("a", "/d/seq/s-", "", zk.FlagSequence),
	dDelete("a", "/d/seq/s-0000000001", -1),
	dCreate("a", "/d/seq/plain", "", zk.FlagPersistent),
	dCreate("a", "/d/seq/s-", "", zk.FlagSequence),
	dCreate("a", "/d/seq/", "", zk.FlagSequence),
	dCreate("b", "/d/seq/e-", "", zk.FlagEphemeralSequential),
	dDelete("a", "/d/seq/s-0000000000", -1),
	dDelete("a", "/d/seq/s-0000000003", -1),
	dCreate("a", "/d/seq/s-", "", zk.FlagSequence),
	dChildren("a", "/d/seq"),

	// ephemerals, and what closing their session does
	dCreate("b", "/d/eph", "mine", zk.FlagEphemeral),
	dExists("a", "/d/eph"),
	dCreate("a", "/d/eph/child", "", zk.FlagPersistent),
	dCreate("b", "/d/eph/child", "", zk.FlagEphemeral),
	dSet("a", "/d/eph", "theirs", -1),
	dChildren("a", "/d"),
	dClose("b"),
	dExists("a", "/d/eph"),
	dChildren("a", "/d"),
	dChildren("a", "/d/seq"),

	// delete
	dCreate("a", "/d/tree", "", zk.FlagPersistent),
	dCreate("a", "/d/tree/leaf", "", zk.FlagPersistent),
	dDelete("a", "/d/tree", -1),
	dDelete("a", "/d/tree/leaf", 5),
	dDelete("a", "/d/tree/leaf", 0),
	dDelete("a", "/d/tree/leaf", -1),
	dExists("a", "/d/tree"),
	dDelete("a", "/d/tree", -1),
	dExists("a", "/d/tree"),

	// multi: success, and failures with each op's code
	dMulti("a",
		&zk.CreateRequest{Path: "/d/m", Data: []byte("m"), Acl: openACL},
		&zk.CreateRequest{Path: "/d/m/a", Acl: openACL},
		&zk.CreateRequest{Path: "/d/m/s-", Acl: openACL, Flags: zk.FlagSequence},
		&zk.SetDataRequest{Path: "/d/m", Data: []byte("mm"), Version: 0},
		&zk.CheckVersionRequest{Path: "/d/m", Version: 1},
		&zk.DeleteRequest{Path: "/d/m/a", Version: -1},
		&zk.CreateRequest{Path: "/d/m/a", Data: []byte("again"), Acl: openACL},
	),
	dGet("a", "/d/m"),
	dGet("a", "/d/m/a"),
	dMulti("a",
		&zk.CreateRequest{Path: "/d/m/b", Acl: openACL},
		&zk.SetDataRequest{Path: "/d/m", Data: []byte("no"), Version: -1},
		&zk.CreateRequest{Path: "/d/m/a", Acl: openACL},
		&zk.DeleteRequest{Path: "/d/m/a", Version: -1},
	),
	dMulti("a",
		&zk.CheckVersionRequest{Path: "/d/m", Version: 7},
		&zk.CreateRequest{Path: "/d/m/c", Acl: openACL},
	),
	dMulti("a",
		&zk.CheckVersionRequest{Path: "/d/missing", Version: -1},
	),
	dMulti("a",
		&zk.CreateRequest{Path: "/d/m/d", Acl: openACL},
		&zk.DeleteRequest{Path: "/d/m", Version: -1},
	),
	dMulti("a",
		&zk.CreateRequest{Path: "/d/m/e", Acl: openACL, Flags: zk.FlagEphemeral},
		&zk.CreateRequest{Path: "/d/m/e/x", Acl: openACL},
	),
	dMulti("a",
		&zk.SetDataRequest{Path: "/d/m", Data: []byte("x"), Version: 5},
		&zk.DeleteRequest{Path: "/d/m/a", Version: 3},
	),
	dMulti("a"),
	dChildren("a", "/d/m"),
	dGet("a", "/d/m"),

	// invalid paths, which go-zookeeper checks before sending except in multi
	dMulti("a", &zk.CreateRequest{Path: "relative", Acl: openACL}),
	dMulti("a", &zk.CreateRequest{Path: "/d/m/", Acl: openACL}),
	dMulti("a", &zk.CreateRequest{Path: "/d//x", Acl: openACL}),
	dMulti("a", &zk.CreateRequest{Path: "/d/.", Acl: openACL}),
	dMulti("a", &zk.CreateRequest{Path: "/d/..", Acl: openACL}),
	dMulti("a", &zk.CreateRequest{Path: "/d/nul\x00", Acl: openACL}),
	dMulti("a", &zk.SetDataRequest{Path: "/d/./m", Version: -1}),
	dMulti("a", &zk.DeleteRequest{Path: "", Version: -1}),
	dMulti("a", &zk.CheckVersionRequest{Path: "d/m", Version: -1}),
	dMulti("a", &zk.CreateRequest{Path: "/d/zookeeper-like", Acl: openACL}),
	// Not compared: a create under /zookeeper. ZooKeeper allows it; Concord
	// reserves the subtree and answers BADARGUMENTS (docs/zookeeper.md).

	// ACLs and digest authentication
	dCreateACL("a", "/d/ro", zk.WorldACL(zk.PermRead)),
	dSet("a", "/d/ro", "x", -1),
	dCreate("a", "/d/ro/child", "", zk.FlagPersistent),
	dSetACL("a", "/d/ro", openACL, -1),
	dCreateACL("a", "/d/secret", zk.DigestACL(zk.PermAll, "alice", "pw")),
	dGet("a", "/d/secret"),
	dExists("a", "/d/secret"),
	dGetACL("a", "/d/secret"),
	dAuth("c", "digest", "alice:pw"),
	dGet("c", "/d/secret"),
	dGetACL("c", "/d/secret"),
	dCreateACL("c", "/d/mine", zk.AuthACL(zk.PermRead|zk.PermWrite)),
	dGetACL("c", "/d/mine"), // without ADMIN, the digest's hash reads as "x"
	dCreateACL("c", "/d/admin", zk.AuthACL(zk.PermRead|zk.PermAdmin)),
	dGetACL("c", "/d/admin"),
	dDelete("a", "/d/secret", -1),
	dCreateACL("a", "/d/ip", []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "127.0.0.1"}}),
	dGet("a", "/d/ip"),
	dCreateACL("a", "/d/badip", []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "not-an-ip"}}),
	dCreateACL("a", "/d/badscheme", []zk.ACL{{Perms: zk.PermAll, Scheme: "nosuch", ID: "x"}}),
	dCreateACL("a", "/d/baddigest", []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: "no-hash"}}),

	// sync, and the final tree
	dSync("a", "/d"),
	dChildren("a", "/d"),
	dGet("a", "/d"),
	dChildren("a", "/"),
}
