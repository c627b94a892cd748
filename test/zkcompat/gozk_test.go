package zkcompat

import (
	"reflect"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// TestGoZookeeper runs github.com/go-zookeeper/zk against one target: every
// operation the client has, watches, sessions, and the seed's flows. Each
// group works under a root znode of its own.
//
// go-zookeeper v1.0.4 has no create2, addWatch, removeWatches/checkWatches,
// whoAmI, getEphemerals, getAllChildrenNumber, multiRead or setWatches2;
// TestJavaClient covers those with ZooKeeper's own Java client.
func TestGoZookeeper(t *testing.T) {
	tg := startTarget(t)
	for _, group := range []struct {
		name string
		run  func(*testing.T, *target)
	}{
		{"create", testCreate},
		{"read-write", testReadWrite},
		{"acl", testACL},
		{"multi", testMulti},
		{"watches", testWatches},
		{"sessions", testSessions},
		{"leader-election", testLeaderElection},
		{"service-discovery", testServiceDiscovery},
	} {
		t.Run(group.name, func(t *testing.T) { group.run(t, tg) })
	}
}

var openACL = zk.WorldACL(zk.PermAll)

// mustCreate creates a persistent znode or fails the test.
func mustCreate(t *testing.T, c *client, path string, data string) {
	t.Helper()
	if _, err := c.Create(path, []byte(data), zk.FlagPersistent, openACL); err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
}

// mustStat returns path's Stat or fails the test.
func mustStat(t *testing.T, c *client, path string) *zk.Stat {
	t.Helper()
	ok, st, err := c.Exists(path)
	if err != nil || !ok {
		t.Fatalf("exists %s = %v, %v", path, ok, err)
	}
	return st
}

// mustSync makes c's member catch up with the cluster (ZooKeeper's sync),
// so that c's next read sees every write acknowledged to any client before:
// without it, a session on another member than the writer's may read the
// past, in ZooKeeper as in Concord.
func mustSync(t *testing.T, c *client, path string) {
	t.Helper()
	if _, err := c.Sync(path); err != nil {
		t.Fatalf("sync %s: %v", path, err)
	}
}

// negotiatedTimeout is the session timeout the server granted; go-zookeeper
// keeps it in an unexported field, which reflection may read.
func negotiatedTimeout(c *client) time.Duration {
	ms := reflect.ValueOf(c.Conn).Elem().FieldByName("sessionTimeoutMs").Int()
	return time.Duration(ms) * time.Millisecond
}
