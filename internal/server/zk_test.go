package server_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/znode"
	"github.com/concordkv/concord/test/cluster"
)

func create(path string, mode znode.Mode, ttl int64) znode.Op {
	return znode.Op{Kind: znode.OpCreate, Path: path, ACL: znode.OpenACL, Mode: mode, TTL: ttl}
}

// TestZooKeeperBackend drives the backend of three in-process members:
// sessions opened and kept alive through a follower, ephemerals removed by
// expiry and by close, and a TTL node removed by the leader.
func TestZooKeeperBackend(t *testing.T) {
	c := cluster.StartInProc(t, 3, cluster.InProcOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lead := c.WaitLeader(10 * time.Second)
	follower := (lead + 1) % 3
	zf := c.Server(follower).ZooKeeper()
	zl := c.Server(lead).ZooKeeper()

	id, pw, err := zf.OpenSession(ctx, 500) // raised to the 1 s minimum of this cluster
	if err != nil {
		t.Fatalf("open session: %v", err)
	}
	if !bytes.Equal(pw, zl.SessionPassword(id)) || len(pw) != 16 {
		t.Fatalf("password differs between members: %x %x", pw, zl.SessionPassword(id))
	}
	res, rev, err := zf.Write(ctx, znode.Request{Session: id, Ops: []znode.Op{create("/svc", znode.Persistent, znode.NoTTL), create("/svc/i-", znode.EphemeralSequential, znode.NoTTL)}})
	if err != nil || res[0].Err != nil || res[1].Err != nil || res[1].Path != "/svc/i-0000000000" {
		t.Fatalf("write: %+v rev %d, %v", res, rev, err)
	}
	if err := zl.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := zl.Reader().Exists("/svc/i-0000000000"); err != nil || st.EphemeralOwner != id || st.Czxid != rev {
		t.Fatalf("leader reads %+v, %v", st, err)
	}

	// Keepalives through the follower keep the session for 3x its TTL
	// (once the leader has published where it serves).
	if !cluster.Eventually(5*time.Second, func() bool { return zf.KeepAlive(ctx, id) == nil }) {
		t.Fatal("no keepalive through a follower succeeded")
	}
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if err := zf.KeepAlive(ctx, id); err != nil {
			t.Fatalf("keepalive through a follower: %v", err)
		}
	}
	if !zf.SessionAlive(id) {
		t.Fatal("session kept alive expired")
	}
	// Without them it expires, and its ephemeral goes.
	if !cluster.Eventually(5*time.Second, func() bool { return !zf.SessionAlive(id) }) {
		t.Fatal("session did not expire")
	}
	if _, err := zf.Reader().Exists("/svc/i-0000000000"); !errors.Is(err, znode.ErrNoNode) {
		t.Fatalf("ephemeral after expiry: %v", err)
	}
	if err := zf.KeepAlive(ctx, id); !errors.Is(err, lease.ErrNotFound) {
		t.Fatalf("keepalive of an expired session: %v", err)
	}
	if res, _, err := zf.Write(ctx, znode.Request{Session: id, Ops: []znode.Op{create("/late", znode.Persistent, znode.NoTTL)}}); err != nil || !errors.Is(res[0].Err, znode.ErrSessionExpired) {
		t.Fatalf("write of an expired session: %+v %v", res, err)
	}

	// Closing a session removes its ephemerals at once.
	id2, _, err := zl.OpenSession(ctx, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if res, _, err := zl.Write(ctx, znode.Request{Session: id2, Ops: []znode.Op{create("/svc/e", znode.Ephemeral, znode.NoTTL)}}); err != nil || res[0].Err != nil {
		t.Fatalf("create ephemeral: %+v %v", res, err)
	}
	if err := zf.CloseSession(ctx, id2); err != nil {
		t.Fatalf("close session: %v", err)
	}
	if _, err := zf.Reader().Exists("/svc/e"); !errors.Is(err, znode.ErrNoNode) {
		t.Fatalf("ephemeral after close: %v", err)
	}

	// The leader deletes a TTL node once its TTL has passed unmodified.
	if res, _, err := zf.Write(ctx, znode.Request{Ops: []znode.Op{create("/ttl", znode.PersistentTTL, 300)}}); err != nil || res[0].Err != nil {
		t.Fatalf("create TTL node: %+v %v", res, err)
	}
	if !cluster.Eventually(5*time.Second, func() bool {
		_, err := zf.Reader().Exists("/ttl")
		return errors.Is(err, znode.ErrNoNode)
	}) {
		t.Fatal("TTL node not deleted")
	}
}
