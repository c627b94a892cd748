package zk_test

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/test/cluster"
)

// TestHandshake covers the connect step: timeout negotiation, resuming a
// session, and the answers that make a client report Expired or move on.
func TestHandshake(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	addr := c.ZKAddr(0)

	t.Run("negotiate", func(t *testing.T) {
		for _, tc := range []struct {
			ask, want int32
			readOnly  bool
		}{{0, 4000, true}, {1500, 4000, false}, {10000, 10000, true}, {120000, 40000, false}} {
			resp, ok := dialRaw(t, addr).connect(jute.ConnectRequest{TimeOut: tc.ask, Passwd: make([]byte, 16), HasReadOnly: tc.readOnly})
			if !ok || resp.TimeOut != tc.want || resp.SessionID == 0 || len(resp.Passwd) != 16 || resp.HasReadOnly != tc.readOnly || resp.ReadOnly {
				t.Errorf("ask %d ms: %+v (open %v), want timeout %d, a session, readOnly flag sent %v", tc.ask, resp, ok, tc.want, tc.readOnly)
			}
		}
	})

	first := dialRaw(t, addr)
	sess := first.session(10 * time.Second)
	first.ok(createReq("/hs", "", jute.ModeEphemeral), jute.CodeOK, nil)
	wrong := slices.Clone(sess.Passwd)
	wrong[0] ^= 1
	for _, tc := range []struct {
		name    string
		req     jute.ConnectRequest
		resumed bool
	}{
		{"resume", jute.ConnectRequest{TimeOut: 6000, SessionID: sess.SessionID, Passwd: sess.Passwd}, true},
		{"wrong-password", jute.ConnectRequest{TimeOut: 6000, SessionID: sess.SessionID, Passwd: wrong}, false},
		{"unknown-session", jute.ConnectRequest{TimeOut: 6000, SessionID: sess.SessionID + 1, Passwd: sess.Passwd}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := dialRaw(t, addr)
			resp, ok := cl.connect(tc.req)
			if !ok {
				t.Fatal("connection closed without a response")
			}
			if !tc.resumed {
				// ZooKeeper's answer for a session it cannot resume: the
				// client reports Expired
				if resp.TimeOut != 0 || resp.SessionID != 0 {
					t.Fatalf("response %+v, want timeout 0 and session 0", resp)
				}
				cl.closed()
				return
			}
			if resp.SessionID != sess.SessionID || resp.TimeOut != 6000 || !slices.Equal(resp.Passwd, sess.Passwd) {
				t.Fatalf("resumed %+v, want session %#x", resp, sess.SessionID)
			}
			var st jute.StatResponse
			cl.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/hs"}}, jute.CodeOK, &st)
			if st.Stat.EphemeralOwner != sess.SessionID {
				t.Fatalf("ephemeral owner %#x after resuming", st.Stat.EphemeralOwner)
			}
			// the old connection of the session is closed
			first.closed()
		})
	}

	t.Run("closed-session", func(t *testing.T) {
		cl := dialRaw(t, addr)
		s := cl.session(5 * time.Second)
		cl.ok(&jute.CloseSessionRequest{}, jute.CodeOK, nil)
		cl.closed()
		resp, ok := dialRaw(t, addr).connect(jute.ConnectRequest{TimeOut: 5000, SessionID: s.SessionID, Passwd: s.Passwd})
		if !ok || resp.TimeOut != 0 || resp.SessionID != 0 {
			t.Fatalf("reconnect to a closed session: %+v (open %v)", resp, ok)
		}
	})

	t.Run("client-ahead", func(t *testing.T) {
		// a client that has seen a later zxid than the member has applied
		// is refused without an answer, so that it tries another member
		cl := dialRaw(t, addr)
		if resp, ok := cl.connect(jute.ConnectRequest{TimeOut: 5000, LastZxidSeen: 1 << 40, Passwd: make([]byte, 16)}); ok {
			t.Fatalf("answered %+v", resp)
		}
	})

	t.Run("malformed-connect", func(t *testing.T) {
		cl := dialRaw(t, addr)
		cl.write([]byte{0, 0, 0, 3, 1, 2, 3})
		cl.closed()
	})
}

// TestRequests runs every request kind on one connection, in order, with
// the codes and bodies ZooKeeper gives, and shows that requests the server
// does not serve are answered without losing the connection.
func TestRequests(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	cl := dialRaw(t, c.ZKAddr(0))
	sess := cl.session(10 * time.Second)

	t.Run("unserved-opcodes", func(t *testing.T) {
		for _, op := range []jute.OpCode{10, jute.OpReconfig, jute.OpSASL, jute.OpCreateSession, jute.OpDeleteContainer, 999} {
			cl.xid++
			cl.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: cl.xid, Type: op}, &jute.PathRequest{Path: "/x"}))
			f, ok := cl.next()
			if !ok || f.hdr.Xid != cl.xid || f.hdr.Err != jute.CodeUnimplemented {
				t.Fatalf("opcode %d: %+v (open %v), want UNIMPLEMENTED", op, f.hdr, ok)
			}
		}
	})
	t.Run("malformed-body", func(t *testing.T) {
		cl.xid++
		cl.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: cl.xid, Type: jute.OpGetData}, &jute.PathRequest{Path: "/truncated"}))
		if f, ok := cl.next(); !ok || f.hdr.Err != jute.CodeMarshallingError {
			t.Fatalf("getData without its watch flag: %+v (open %v)", f.hdr, ok)
		}
	})
	t.Run("ping", func(t *testing.T) {
		cl.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing}, nil))
		if f, ok := cl.next(); !ok || f.hdr.Xid != jute.XidPing || f.hdr.Err != jute.CodeOK {
			t.Fatalf("ping: %+v", f.hdr)
		}
	})
	t.Run("creates", func(t *testing.T) {
		var c2 jute.Create2Response
		cl.ok(&jute.Create2Request{CreateRequest: *createReq("/r", "root", jute.ModePersistent)}, jute.CodeOK, &c2)
		if c2.Path != "/r" || c2.Stat.DataLength != 4 || c2.Stat.Czxid == 0 {
			t.Fatalf("create2 = %+v", c2)
		}
		cl.ok(&jute.CreateContainerRequest{CreateRequest: *createReq("/r/box", "", jute.ModeContainer)}, jute.CodeOK, &c2)
		cl.ok(&jute.CreateTTLRequest{CreateRequest: *createReq("/r/ttl", "", jute.ModePersistentWithTTL), TTL: 60000}, jute.CodeOK, &c2)
		cl.ok(&jute.CreateTTLRequest{CreateRequest: *createReq("/r/ttl0", "", jute.ModePersistentWithTTL), TTL: 0}, jute.CodeBadArguments, nil)
		cl.ok(createReq("/r/bad-mode", "", 9), jute.CodeBadArguments, nil)
		var p jute.PathResponse
		cl.ok(createReq("/r/e-", "", jute.ModeEphemeralSequential), jute.CodeOK, &p)
		if p.Path != "/r/e-0000000002" {
			t.Fatalf("sequential create = %q", p.Path)
		}
	})
	t.Run("reads", func(t *testing.T) {
		var ch jute.GetChildren2Response
		cl.ok(&jute.GetChildren2Request{PathWatchRequest: jute.PathWatchRequest{Path: "/r"}}, jute.CodeOK, &ch)
		if !slices.Equal(ch.Children, []string{"box", "e-0000000002", "ttl"}) || ch.Stat.NumChildren != 3 {
			t.Fatalf("getChildren2 = %+v", ch)
		}
		var n jute.GetAllChildrenNumberResponse
		cl.ok(&jute.GetAllChildrenNumberRequest{PathRequest: jute.PathRequest{Path: "/r"}}, jute.CodeOK, &n)
		if n.TotalNumber != 3 {
			t.Fatalf("getAllChildrenNumber = %d", n.TotalNumber)
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{{"", []string{"/r/e-0000000002"}}, {"/", []string{"/r/e-0000000002"}}, {"/r/e", []string{"/r/e-0000000002"}}, {"/x", nil}} {
			var e jute.GetEphemeralsResponse
			cl.ok(&jute.GetEphemeralsRequest{PathRequest: jute.PathRequest{Path: tc.prefix}}, jute.CodeOK, &e)
			if !slices.Equal(e.Ephemerals, tc.want) {
				t.Errorf("getEphemerals(%q) = %v, want %v", tc.prefix, e.Ephemerals, tc.want)
			}
		}
		var m jute.MultiResponse
		cl.ok(&jute.MultiReadRequest{MultiRequest: jute.MultiRequest{Ops: []jute.Request{
			&jute.GetDataRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/r"}},
			&jute.GetChildrenRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/missing"}},
			&jute.GetChildrenRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/r/box"}},
		}}}, jute.CodeOK, &m)
		if len(m.Results) != 3 || m.Results[0].Op != jute.OpGetData || string(m.Results[0].Body.(*jute.GetDataResponse).Data) != "root" ||
			m.Results[1].Op != jute.OpError || m.Results[1].Err != jute.CodeNoNode || m.Results[2].Op != jute.OpGetChildren {
			t.Fatalf("multiRead = %+v", m.Results)
		}
		var st jute.StatResponse
		cl.ok(&jute.CheckVersionRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/r", Version: 0}}, jute.CodeOK, &st)
		if st.Stat.Version != 0 || st.Stat.NumChildren != 3 {
			t.Fatalf("check = %+v", st)
		}
		cl.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/a\x00b"}}, jute.CodeBadArguments, nil)
		cl.ok(&jute.GetDataRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/r/"}}, jute.CodeNoNode, nil)
		var p jute.PathResponse
		cl.ok(&jute.SyncRequest{PathRequest: jute.PathRequest{Path: "/r"}}, jute.CodeOK, &p)
		if p.Path != "/r" {
			t.Fatalf("sync = %q", p.Path)
		}
	})
	t.Run("acl-and-auth", func(t *testing.T) {
		sum := sha1.Sum([]byte("alice:secret"))
		alice := jute.Id{Scheme: "digest", ID: "alice:" + base64.StdEncoding.EncodeToString(sum[:])}
		acl := []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}, {Perms: jute.PermAll, ID: alice}}
		cl.ok(&jute.CreateRequest{Path: "/r/acl", ACL: acl}, jute.CodeOK, nil)
		var got jute.GetACLResponse
		cl.ok(&jute.GetACLRequest{PathRequest: jute.PathRequest{Path: "/r/acl"}}, jute.CodeOK, &got)
		if got.ACL[1].ID.ID != "alice:x" {
			t.Fatalf("ACL read without ADMIN = %+v, want the digest masked", got.ACL)
		}
		cl.ok(&jute.SetDataRequest{Path: "/r/acl", Version: -1}, jute.CodeNoAuth, nil)
		var who jute.WhoAmIResponse
		cl.ok(&jute.WhoAmIRequest{}, jute.CodeOK, &who)
		if !slices.Equal(who.ClientInfo, []jute.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}) {
			t.Fatalf("whoAmI = %+v", who.ClientInfo)
		}
		cl.ok(&jute.AuthPacket{Scheme: "digest", Auth: []byte("alice:secret")}, jute.CodeOK, nil)
		cl.ok(&jute.WhoAmIRequest{}, jute.CodeOK, &who)
		if !slices.Equal(who.ClientInfo, []jute.ClientInfo{{AuthScheme: "digest", User: "alice"}, {AuthScheme: "ip", User: "127.0.0.1"}}) {
			t.Fatalf("whoAmI after auth = %+v", who.ClientInfo)
		}
		cl.ok(&jute.GetACLRequest{PathRequest: jute.PathRequest{Path: "/r/acl"}}, jute.CodeOK, &got)
		if got.ACL[1].ID != alice {
			t.Fatalf("ACL read with ADMIN = %+v", got.ACL)
		}
		cl.ok(&jute.SetDataRequest{Path: "/r/acl", Data: []byte("mine"), Version: -1}, jute.CodeOK, nil)
		var acl2 jute.StatResponse
		cl.ok(&jute.SetACLRequest{Path: "/r/acl", ACL: openACL, Version: 0}, jute.CodeOK, &acl2)
		if acl2.Stat.Aversion != 1 {
			t.Fatalf("setACL = %+v", acl2)
		}
	})
	t.Run("multi", func(t *testing.T) {
		var m jute.MultiResponse
		cl.ok(&jute.MultiRequest{Ops: []jute.Request{
			&jute.Create2Request{CreateRequest: *createReq("/r/m", "", jute.ModePersistent)},
			&jute.SetDataRequest{Path: "/r/m", Data: []byte("x"), Version: 0},
			&jute.DeleteRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/r/m", Version: 1}},
			&jute.CheckVersionRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/r", Version: 0}},
		}}, jute.CodeOK, &m)
		ops := []jute.OpCode{}
		for _, r := range m.Results {
			ops = append(ops, r.Op)
		}
		if !slices.Equal(ops, []jute.OpCode{jute.OpCreate2, jute.OpSetData, jute.OpDelete, jute.OpCheck}) {
			t.Fatalf("multi results %+v", m.Results)
		}
		cl.ok(&jute.MultiRequest{Ops: []jute.Request{
			createReq("/r/m2", "", jute.ModePersistent),
			&jute.CheckVersionRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/r", Version: 7}},
			createReq("/r/m3", "", jute.ModePersistent),
		}}, jute.CodeOK, &m)
		var codes []jute.Code
		for _, r := range m.Results {
			codes = append(codes, r.Err)
		}
		if !slices.Equal(codes, []jute.Code{jute.CodeOK, jute.CodeBadVersion, jute.CodeRuntimeInconsistency}) {
			t.Fatalf("failed multi codes %v", codes)
		}
		cl.ok(&jute.MultiRequest{}, jute.CodeOK, &m)
	})
	t.Run("auth-failure-closes", func(t *testing.T) {
		other := dialRaw(t, c.ZKAddr(0))
		other.session(5 * time.Second)
		other.ok(&jute.AuthPacket{Scheme: "sasl", Auth: []byte("x")}, jute.CodeAuthFailed, nil)
		other.closed()
	})
	t.Run("auth-identity-limit", func(t *testing.T) {
		other := dialRaw(t, c.ZKAddr(0))
		other.session(5 * time.Second)
		for i := range 63 { // with the connection's ip identity, 64
			other.ok(&jute.AuthPacket{Scheme: "digest", Auth: fmt.Appendf(nil, "u%d:pw", i)}, jute.CodeOK, nil)
		}
		other.ok(&jute.AuthPacket{Scheme: "digest", Auth: []byte("u0:pw")}, jute.CodeOK, nil) // known: no new identity
		other.ok(&jute.AuthPacket{Scheme: "digest", Auth: []byte("one-too-many:pw")}, jute.CodeAuthFailed, nil)
		other.closed()
	})
	t.Run("close-session", func(t *testing.T) {
		f := cl.ok(&jute.CloseSessionRequest{}, jute.CodeOK, nil)
		if f.hdr.Zxid == 0 {
			t.Errorf("closeSession reply zxid 0")
		}
		cl.closed()
		// its ephemeral went with it
		other := dialRaw(t, c.ZKAddr(0))
		other.session(5 * time.Second)
		other.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/r/e-0000000002"}}, jute.CodeNoNode, nil)
		_ = sess
	})
}

// TestSessionExpiry shows a connected client told that its session
// expired (here: its lease revoked through the etcd API), then
// disconnected, with its ephemeral node gone.
func TestSessionExpiry(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	cl := dialRaw(t, c.ZKAddr(0))
	sess := cl.session(10 * time.Second)
	cl.ok(createReq("/mine", "", jute.ModeEphemeral), jute.CodeOK, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(0).Revoke(ctx, clientv3.LeaseID(sess.SessionID)); err != nil {
		t.Fatal(err)
	}
	if ev := cl.nextEvent(); ev.Type != jute.EventNone || ev.State != jute.StateExpired {
		t.Fatalf("event %+v, want the Expired state", ev)
	}
	cl.closed()
	if resp, err := c.Client(0).Get(ctx, "/mine"); err != nil || len(resp.Kvs) != 0 {
		t.Fatalf("ephemeral after expiry: %v %v", resp, err)
	}
}

// TestCutOffMemberDropsClients isolates the member a client is connected
// to: once it has failed to renew the session for two thirds of the
// timeout it drops the connection, though the client keeps pinging, so the
// client moves to a member that can tell it whether its session lives.
func TestCutOffMemberDropsClients(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	follower := (c.WaitLeader(10*time.Second) + 1) % 3
	cl := dialRaw(t, c.ZKAddr(follower))
	cl.session(4 * time.Second)
	cl.ok(createReq("/held", "", jute.ModeEphemeral), jute.CodeOK, nil)
	c.Faults.Isolate(c.ID(follower))
	defer c.Faults.Heal()
	deadline := time.Now().Add(15 * time.Second)
	for {
		cl.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing}, nil))
		if _, ok := cl.next(); !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the isolated member still serves the client 15 s after its 4 s session could last be renewed")
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestFrameLimits shows that a frame over the jute max buffer, or one too
// short to hold a request header, closes its connection and harms no
// other; and that the per-address connection limit and the reply-size and
// watch limits answer as documented.
func TestFrameLimits(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	addr := frontEnd(t, c, func(z *config.ZooKeeper) { z.MaxBuffer, z.MaxWatches = 4096, 2 })
	bystander := dialRaw(t, addr)
	bystander.session(10 * time.Second)

	for _, tc := range []struct {
		name  string
		frame []byte
	}{
		{"oversized", binary.BigEndian.AppendUint32(nil, 4097)},
		{"negative", binary.BigEndian.AppendUint32(nil, 0x80000000)},
		{"no-header", []byte{0, 0, 0, 4, 0, 0, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := dialRaw(t, addr)
			cl.session(10 * time.Second)
			cl.write(tc.frame)
			cl.closed()
			bystander.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/"}}, jute.CodeOK, nil)
		})
	}
	t.Run("reply-too-large", func(t *testing.T) {
		bystander.ok(createReq("/many", "", jute.ModePersistent), jute.CodeOK, nil)
		for i := range 200 {
			bystander.ok(createReq("/many/child-with-a-long-name-"+strings.Repeat("x", 10)+string(rune('a'+i%26))+string(rune('a'+i/26)), "", jute.ModePersistent), jute.CodeOK, nil)
		}
		bystander.ok(&jute.GetChildrenRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/many"}}, jute.CodeQuotaExceeded, nil)
	})
	t.Run("too-many-watches", func(t *testing.T) {
		for _, p := range []string{"/w1", "/w2"} {
			bystander.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: p, Watch: true}}, jute.CodeNoNode, nil)
		}
		bystander.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/w3", Watch: true}}, jute.CodeQuotaExceeded, nil)
		bystander.ok(&jute.RemoveWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/w1", Type: jute.WatcherAny}}, jute.CodeOK, nil)
		bystander.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/w3", Watch: true}}, jute.CodeNoNode, nil)
	})
	t.Run("per-address", func(t *testing.T) {
		limited := frontEnd(t, c, func(z *config.ZooKeeper) { z.MaxClientCnxns = 2 })
		for range 2 {
			dialRaw(t, limited).session(10 * time.Second)
		}
		dialRaw(t, limited).closed()
	})
}
