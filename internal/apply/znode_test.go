package apply

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/proposal"
	"github.com/concordkv/concord/internal/znode"
)

// recorder is an Observer that keeps what it was told.
type recorder struct {
	revs []int64
}

func (r *recorder) Notify(rev int64, _ []mvccpb.Event) { r.revs = append(r.revs, rev) }
func (r *recorder) Resync(int64)                       {}

func newMachine() (*Machine, *recorder) {
	obs := &recorder{}
	return New(Config{Store: mvcc.New(), Leases: lease.NewTable(), Wait: proposal.NewWait(), Observer: obs, Logger: slog.New(slog.DiscardHandler)}), obs
}

// snapshot returns the machine's snapshot bytes.
func snapshot(t *testing.T, m *Machine) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Snapshot()(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// workload returns n random entries mixing etcd writes, lease grants and
// revokes and ZooKeeper requests over a small set of paths.
func workload(seed uint64, n int) []raftpb.Entry {
	rng := rand.New(rand.NewPCG(seed, 1))
	paths := []string{"/a", "/a/b", "/a/b/c", "/c", "/c/x", "/c/y", "/t", "/e", "/a/e"}
	path := func() string { return paths[rng.IntN(len(paths))] }
	var ents []raftpb.Entry
	add := func(kind Kind, payload []byte) {
		ents = append(ents, raftpb.Entry{Term: 1, Index: uint64(len(ents) + 1), Type: raftpb.EntryNormal, Data: Encode(kind, 0, payload)})
	}
	leases := []int64{}
	for i := range n {
		switch rng.IntN(8) {
		case 0:
			id := int64(i + 1)
			leases = append(leases, id)
			add(KindLeaseGrant, (&lease.GrantRequest{ID: id, TTL: 5000}).Marshal())
		case 1:
			if len(leases) > 0 {
				add(KindLeaseRevoke, (&lease.RevokeRequest{ID: leases[rng.IntN(len(leases))]}).Marshal())
			}
		case 2:
			b, _ := (&pb.PutRequest{Key: []byte(path()), Value: []byte("etcd")}).Marshal()
			add(KindPut, b)
		case 3:
			b, _ := (&pb.DeleteRangeRequest{Key: []byte(path())}).Marshal()
			add(KindDeleteRange, b)
		default:
			var s int64
			if len(leases) > 0 {
				s = leases[rng.IntN(len(leases))]
			}
			op := znode.Op{Kind: znode.OpKind(1 + rng.IntN(5)), Path: path(), Data: []byte("zk"), ACL: znode.OpenACL,
				Mode: znode.Mode(rng.IntN(7)), TTL: znode.NoTTL, Version: -1}
			if op.Mode.TTL() {
				op.TTL = 1000
			}
			req := znode.Request{Session: s, Now: int64(1000 * i), Ops: []znode.Op{op}}
			if rng.IntN(3) == 0 {
				req.Ops = append(req.Ops, znode.Op{Kind: znode.OpCreate, Path: path(), ACL: znode.OpenACL, Mode: znode.Container, TTL: znode.NoTTL})
			}
			add(KindZnode, req.Marshal())
		}
	}
	return ents
}

func TestZnodeDeterminism(t *testing.T) {
	for seed := range uint64(5) {
		ents := workload(seed, 400)
		a, _ := newMachine()
		b, _ := newMachine()
		a.Apply(ents)
		for i := range ents { // the other one entry by entry
			b.Apply(ents[i : i+1])
		}
		sa, sb := snapshot(t, a), snapshot(t, b)
		if !bytes.Equal(sa, sb) {
			t.Fatalf("seed %d: machines fed the same entries differ", seed)
		}
		// A restored machine holds the same state, and keeps agreeing.
		c, _ := newMachine()
		if err := c.Restore(sa); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(snapshot(t, c), sa) {
			t.Fatalf("seed %d: restored machine's snapshot differs", seed)
		}
		more := workload(seed+100, 100)
		for i := range more {
			more[i].Index += uint64(len(ents))
		}
		a.Apply(more)
		c.Apply(more)
		if !bytes.Equal(snapshot(t, a), snapshot(t, c)) {
			t.Fatalf("seed %d: restored machine diverged", seed)
		}
	}
}

func TestZnodeApply(t *testing.T) {
	m, obs := newMachine()
	m.Apply([]raftpb.Entry{{Term: 3, Type: raftpb.EntryNormal, Data: Encode(KindLeaseGrant, 0, (&lease.GrantRequest{ID: 9, TTL: 5000}).Marshal())}})
	wait := m.wait.Register(1)
	req := znode.Request{Session: 9, Ops: []znode.Op{{Kind: znode.OpCreate, Path: "/e", ACL: znode.OpenACL, Mode: znode.Ephemeral, TTL: znode.NoTTL}}}
	m.Apply([]raftpb.Entry{{Term: 3, Type: raftpb.EntryNormal, Data: Encode(KindZnode, 1, req.Marshal())}})
	res := <-wait
	resp, ok := res.Value.(*ZnodeResponse)
	if res.Err != nil || !ok || resp.Results[0].Err != nil || resp.Rev != 2 || len(obs.revs) != 1 || obs.revs[0] != 2 {
		t.Fatalf("apply: %+v %v; notified %v", res.Value, res.Err, obs.revs)
	}
	if keys := m.leases.Keys(9); len(keys) != 1 || string(keys[0]) != "/e" {
		t.Fatalf("ephemeral not attached to its lease: %q", keys)
	}
	// An expiry proposed in another term is refused.
	wait = m.wait.Register(2)
	exp := znode.Request{Term: 2, Ops: []znode.Op{{Kind: znode.OpExpire, Path: "/e"}}}
	m.Apply([]raftpb.Entry{{Term: 3, Type: raftpb.EntryNormal, Data: Encode(KindZnode, 2, exp.Marshal())}})
	if res := <-wait; res.Err != lease.ErrStale {
		t.Fatalf("stale expiry: %v", res.Err)
	}
	// A revoke deletes the ephemeral and updates the root's metadata (one
	// creation, one deletion; /zookeeper remains).
	m.Apply([]raftpb.Entry{{Term: 3, Type: raftpb.EntryNormal, Data: Encode(KindLeaseRevoke, 0, (&lease.RevokeRequest{ID: 9}).Marshal())}})
	st, err := m.Znodes().Exists("/")
	if err != nil || st.NumChildren != 1 || st.Pzxid != 3 || st.Cversion != 1 {
		t.Fatalf("root after revoke: %+v %v", st, err)
	}
}

// v2Snapshot writes the machine's state in the CST2 layout (no znode
// metadata), as builds before the ZooKeeper front end did.
func v2Snapshot(t *testing.T, m *Machine) []byte {
	t.Helper()
	members, err := json.Marshal(m.members)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	bw.WriteString("CST2")
	for _, s := range [][]byte{members, m.leases.Snapshot()} {
		bw.Write(binary.AppendUvarint(nil, uint64(len(s))))
		bw.Write(s)
	}
	if _, err := m.store.View().WriteTo(bw); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	return buf.Bytes()
}

func TestRestoreV2Snapshot(t *testing.T) {
	a, _ := newMachine()
	for _, k := range []string{"/a", "/a/b", "/a/c", "/a/c/d", "/orphan/x", "plain", "/"} {
		b, _ := (&pb.PutRequest{Key: []byte(k), Value: []byte("v")}).Marshal()
		a.Apply([]raftpb.Entry{{Term: 1, Type: raftpb.EntryNormal, Data: Encode(KindPut, 0, b)}})
	}
	c, _ := newMachine()
	if err := c.Restore(v2Snapshot(t, a)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/a", "/a/c", "/orphan/x"} {
		want, err1 := a.Znodes().Exists(p)
		got, err2 := c.Znodes().Exists(p)
		if err1 != nil || err2 != nil || got.NumChildren != want.NumChildren || got.Cversion != want.Cversion || got.Pzxid != want.Pzxid || got.Czxid != want.Czxid {
			t.Fatalf("%s: rebuilt %+v %v, original %+v %v", p, got, err2, want, err1)
		}
	}
	if _, err := c.Znodes().Exists("/orphan"); err != znode.ErrNoNode {
		t.Fatalf("orphan's parent after rebuild: %v", err)
	}
	for _, bad := range [][]byte{[]byte("CST9"), []byte("CST3\x00\x00\x00")} {
		if err := c.Restore(bad); err == nil {
			t.Fatalf("restore of %q succeeded", bad)
		}
	}
}
