package jute

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// javaJars are the Debian jars the stock Java client needs at run time.
var javaJars = []string{"zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-nop.jar"}

// javaClasspath returns the class path of the Java client, or skips the
// test when the JDK or Debian's ZooKeeper jars are absent.
func javaClasspath(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"javac", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping the Java client test: %s not found (scripts/install-deps.sh installs openjdk-17)", tool)
		}
	}
	var cp []string
	for _, jar := range javaJars {
		path := filepath.Join("/usr/share/java", jar)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("skipping the Java client test: %s absent (scripts/install-deps.sh installs Debian's zookeeper)", path)
		}
		cp = append(cp, path)
	}
	return strings.Join(cp, ":")
}

// The stock Java client (Debian's ZooKeeper 3.8 jar) sends what this
// package decodes, including the ops go-zookeeper lacks: create2,
// getChildren, multiRead, addWatch, checkWatches, removeWatches,
// getEphemerals, getAllChildrenNumber, the readOnly flag of the handshake,
// the auth packet's special xid and setWatches2 on reconnect.
func TestJavaClient(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the Java client test in -short mode")
	}
	cp := javaClasspath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	classes := t.TempDir()
	if out, err := exec.CommandContext(ctx, "javac", "-cp", cp, "-d", classes,
		filepath.Join("testdata", "java", "Capture.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	s := startFakeServer(t)
	java := exec.CommandContext(ctx, "java", "-Dzookeeper.sasl.client=false",
		"-cp", classes+":"+cp, "Capture", s.addr())
	java.WaitDelay = 5 * time.Second
	if out, err := java.CombinedOutput(); err != nil {
		t.Fatalf("Java client: %v\n%s", err, out)
	}

	s.expect(t, &ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16), HasReadOnly: true})
	create := func(path string, data []byte, flags CreateMode) CreateRequest {
		return CreateRequest{Path: path, Data: data, ACL: openACL, Flags: flags}
	}
	for _, want := range []Request{
		ptr(create("/p", []byte("x"), ModePersistent)),
		&Create2Request{create("/s", nil, ModeEphemeralSequential)},
		&CreateContainerRequest{create("/c", []byte{}, ModeContainer)},
		&CreateTTLRequest{create("/t", []byte("x"), ModePersistentWithTTL), 5000},
		&GetDataRequest{PathWatchRequest{Path: "/p", Watch: true}},
		&SetDataRequest{Path: "/p", Data: []byte("y"), Version: 3},
		&ExistsRequest{PathWatchRequest{Path: "/missing", Watch: true}},
		&GetChildrenRequest{PathWatchRequest{Path: "/", Watch: true}},
		&GetChildren2Request{PathWatchRequest{Path: "/"}},
		&GetACLRequest{PathRequest{Path: "/p"}},
		&SetACLRequest{Path: "/p", ACL: []ACL{{Perms: PermRead, ID: Id{"world", "anyone"}}}, Version: 1},
		&SyncRequest{PathRequest{Path: "/p"}},
		&MultiRequest{Ops: []Request{
			ptr(create("/m", []byte("x"), ModePersistent)),
			&SetDataRequest{Path: "/m", Data: []byte("y"), Version: -1},
			&CheckVersionRequest{PathVersionRequest{Path: "/m", Version: 1}},
			&DeleteRequest{PathVersionRequest{Path: "/m", Version: 1}},
		}},
		&MultiReadRequest{MultiRequest{Ops: []Request{
			&GetChildrenRequest{PathWatchRequest{Path: "/"}},
			&GetDataRequest{PathWatchRequest{Path: "/p"}},
		}}},
		&DeleteRequest{PathVersionRequest{Path: "/p", Version: -1}},
		&AddWatchRequest{Path: "/r", Mode: AddWatchPersistent},
		&CheckWatchesRequest{WatchesRequest{Path: "/r", Type: WatcherAny}},
		&AddWatchRequest{Path: "/rr", Mode: AddWatchPersistentRecursive},
		&AddWatchRequest{Path: "/r2", Mode: AddWatchPersistent},
		&RemoveWatchesRequest{WatchesRequest{Path: "/r2", Type: WatcherAny}},
		&GetEphemeralsRequest{PathRequest{Path: "/"}},
		&GetAllChildrenNumberRequest{PathRequest{Path: "/"}},
	} {
		s.expect(t, want)
	}
	expectXid(t, s, XidAuth, &AuthPacket{Scheme: "digest", Auth: []byte("u:pw")})
	s.expect(t, &ExistsRequest{PathWatchRequest{Path: "/drop"}})

	// The reconnect: the handshake carries the session and the last zxid,
	// then the client re-sends its auth and watches (setWatches2, since it
	// holds a persistent watch).
	f := s.next(t)
	reconnect, _ := f.req.(*ConnectRequest)
	if reconnect == nil || reconnect.LastZxidSeen <= 100 {
		t.Fatalf("after the drop the server decoded %#v (%v), want a ConnectRequest with a zxid", f.req, f.err)
	}
	s.expectReq(t, f, &ConnectRequest{LastZxidSeen: reconnect.LastZxidSeen, TimeOut: 30000,
		SessionID: fakeSession, Passwd: fakePasswd, HasReadOnly: true})
	expectXid(t, s, XidAuth, &AuthPacket{Scheme: "digest", Auth: []byte("u:pw")})
	// ClientCnxn builds it with XidSetWatches, which the socket layer
	// replaces with the next regular xid.
	f = s.next(t)
	if f.hdr.Xid <= 0 {
		t.Errorf("setWatches2 sent with xid %d, want a regular one", f.hdr.Xid)
	}
	s.expectReq(t, f, &SetWatches2{
		SetWatches: SetWatches{RelativeZxid: reconnect.LastZxidSeen, DataWatches: []string{"/p"},
			ExistWatches: []string{"/missing"}, ChildWatches: []string{"/"}},
		PersistentRecursiveWatches: []string{"/rr"},
	})
	s.expect(t, &ExistsRequest{PathWatchRequest{Path: "/after"}})
	s.expect(t, &CloseSessionRequest{})
}

// expectXid checks the next frame's xid and request.
func expectXid(t *testing.T, s *fakeServer, xid int32, want Request) {
	t.Helper()
	f := s.next(t)
	if f.hdr.Xid != xid {
		t.Errorf("%v sent with xid %d, want %d", f.hdr.Type, f.hdr.Xid, xid)
	}
	s.expectReq(t, f, want)
}
