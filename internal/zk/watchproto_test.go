package zk_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/test/cluster"
)

func getData(path string, watch bool) *jute.GetDataRequest {
	return &jute.GetDataRequest{PathWatchRequest: jute.PathWatchRequest{Path: path, Watch: watch}}
}

func setData(path, data string) *jute.SetDataRequest {
	return &jute.SetDataRequest{Path: path, Data: []byte(data), Version: -1}
}

// events reads n notifications.
func (c *rawClient) events(n int) []jute.WatcherEvent {
	c.t.Helper()
	out := make([]jute.WatcherEvent, n)
	for i := range out {
		out[i] = c.nextEvent()
	}
	return out
}

// quiet checks that nothing arrives but the reply to a ping.
func (c *rawClient) quiet() {
	c.t.Helper()
	c.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing}, nil))
	if f, ok := c.next(); !ok || f.hdr.Xid != jute.XidPing {
		c.t.Fatalf("want only the ping reply, got %+v", f.hdr)
	}
}

func ev(typ jute.EventType, path string) jute.WatcherEvent {
	return jute.WatcherEvent{Type: typ, State: jute.StateSyncConnected, Path: path}
}

// TestWatchProtocol follows the frames a watching connection receives:
// the ordering guarantee, persistent and recursive watches, watch removal,
// re-registration after a reconnect, and a ZooKeeper watch fired by an
// etcd write.
func TestWatchProtocol(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	a := dialRaw(t, c.ZKAddr(0))
	a.session(10 * time.Second)
	b := dialRaw(t, c.ZKAddr(0))
	b.session(10 * time.Second)
	a.ok(createReq("/o", "", jute.ModePersistent), jute.CodeOK, nil)

	t.Run("event-before-own-write-reply", func(t *testing.T) {
		a.ok(getData("/o", true), jute.CodeOK, nil)
		reply, before := a.call(setData("/o", "1"))
		if reply.hdr.Err != jute.CodeOK || !slices.Equal(before, []jute.WatcherEvent{ev(jute.EventNodeDataChanged, "/o")}) {
			t.Fatalf("setData reply after %v", before)
		}
	})
	t.Run("event-before-data-written-elsewhere", func(t *testing.T) {
		a.ok(getData("/o", true), jute.CodeOK, nil)
		b.ok(setData("/o", "2"), jute.CodeOK, nil)
		var data jute.GetDataResponse
		reply, before := a.call(getData("/o", false))
		if err := jute.Decode(reply.body, &data); err != nil || string(data.Data) != "2" {
			t.Fatalf("getData = %q, %v", data.Data, err)
		}
		if !slices.Equal(before, []jute.WatcherEvent{ev(jute.EventNodeDataChanged, "/o")}) {
			t.Fatalf("the data came before its event: %v", before)
		}
		if reply.hdr.Zxid < data.Stat.Mzxid {
			t.Fatalf("reply zxid %d below the data's mzxid %d", reply.hdr.Zxid, data.Stat.Mzxid)
		}
	})
	t.Run("one-shot-fires-once", func(t *testing.T) {
		a.ok(&jute.GetChildrenRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/o", Watch: true}}, jute.CodeOK, nil)
		a.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/o/k", Watch: true}}, jute.CodeNoNode, nil)
		b.ok(createReq("/o/k", "", jute.ModePersistent), jute.CodeOK, nil)
		b.ok(createReq("/o/k2", "", jute.ModePersistent), jute.CodeOK, nil)
		if got := a.events(2); !slices.Equal(got, []jute.WatcherEvent{ev(jute.EventNodeCreated, "/o/k"), ev(jute.EventNodeChildrenChanged, "/o")}) {
			t.Fatalf("events %v", got)
		}
		a.quiet()
	})
	t.Run("persistent", func(t *testing.T) {
		a.ok(&jute.AddWatchRequest{Path: "/p", Mode: jute.AddWatchPersistent}, jute.CodeOK, nil)
		for _, w := range []jute.Request{createReq("/p", "", 0), createReq("/p/c", "", 0), setData("/p/c", "x"), setData("/p", "x"), setData("/p", "y"),
			&jute.DeleteRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/p/c", Version: -1}}} {
			b.ok(w, jute.CodeOK, nil)
		}
		want := []jute.WatcherEvent{ev(jute.EventNodeCreated, "/p"), ev(jute.EventNodeChildrenChanged, "/p"),
			ev(jute.EventNodeDataChanged, "/p"), ev(jute.EventNodeDataChanged, "/p"), ev(jute.EventNodeChildrenChanged, "/p")}
		if got := a.events(len(want)); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		a.ok(&jute.CheckWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/p", Type: jute.WatcherPersistent}}, jute.CodeOK, nil)
		a.ok(&jute.RemoveWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/p", Type: jute.WatcherPersistent}}, jute.CodeOK, nil)
		a.ok(&jute.RemoveWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/p", Type: jute.WatcherPersistent}}, jute.CodeNoWatcher, nil)
		a.ok(&jute.CheckWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/p", Type: jute.WatcherData}}, jute.CodeNoWatcher, nil)
		b.ok(setData("/p", "z"), jute.CodeOK, nil)
		a.quiet()
	})
	t.Run("recursive", func(t *testing.T) {
		a.ok(&jute.AddWatchRequest{Path: "/rec", Mode: jute.AddWatchPersistentRecursive}, jute.CodeOK, nil)
		for _, w := range []jute.Request{createReq("/rec", "", 0), createReq("/rec/a", "", 0), createReq("/rec/a/b", "", 0),
			setData("/rec/a/b", "x"), &jute.DeleteRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/rec/a/b", Version: -1}},
			createReq("/recx", "", 0)} {
			b.ok(w, jute.CodeOK, nil)
		}
		// never NodeChildrenChanged; /recx is no descendant
		want := []jute.WatcherEvent{ev(jute.EventNodeCreated, "/rec"), ev(jute.EventNodeCreated, "/rec/a"), ev(jute.EventNodeCreated, "/rec/a/b"),
			ev(jute.EventNodeDataChanged, "/rec/a/b"), ev(jute.EventNodeDeleted, "/rec/a/b")}
		if got := a.events(len(want)); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		a.quiet()
		a.ok(&jute.RemoveWatchesRequest{WatchesRequest: jute.WatchesRequest{Path: "/rec", Type: jute.WatcherAny}}, jute.CodeOK, nil)
	})
	t.Run("setWatches", func(t *testing.T) {
		for _, p := range []string{"/s-data", "/s-same", "/s-kids", "/s-gone"} {
			b.ok(createReq(p, "", 0), jute.CodeOK, nil)
		}
		relative := b.ok(createReq("/s-kids/old", "", 0), jute.CodeOK, nil).hdr.Zxid
		b.ok(setData("/s-data", "x"), jute.CodeOK, nil)
		b.ok(createReq("/s-new", "", 0), jute.CodeOK, nil)
		b.ok(createReq("/s-kids/new", "", 0), jute.CodeOK, nil)
		b.ok(&jute.DeleteRequest{PathVersionRequest: jute.PathVersionRequest{Path: "/s-gone", Version: -1}}, jute.CodeOK, nil)
		// a new connection re-registers the watches a client held since
		// relative: each changed node fires at once, before the reply
		r := dialRaw(t, c.ZKAddr(0))
		r.session(10 * time.Second)
		reply, before := r.call(&jute.SetWatches2{SetWatches: jute.SetWatches{RelativeZxid: relative,
			DataWatches:  []string{"/s-data", "/s-same", "/s-gone"},
			ExistWatches: []string{"/s-new", "/s-none"},
			ChildWatches: []string{"/s-kids"}},
			PersistentWatches: []string{"/s-same"}})
		want := []jute.WatcherEvent{ev(jute.EventNodeDataChanged, "/s-data"), ev(jute.EventNodeDeleted, "/s-gone"),
			ev(jute.EventNodeCreated, "/s-new"), ev(jute.EventNodeChildrenChanged, "/s-kids")}
		if reply.hdr.Err != jute.CodeOK || !slices.Equal(before, want) {
			t.Fatalf("setWatches2 = %v after %v, want %v", reply.hdr.Err, before, want)
		}
		// the others were set: the data watch and the persistent watch on
		// /s-same (one notification), the exist watch on /s-none
		b.ok(setData("/s-same", "x"), jute.CodeOK, nil)
		b.ok(createReq("/s-none", "", 0), jute.CodeOK, nil)
		b.ok(setData("/s-same", "y"), jute.CodeOK, nil)
		want = []jute.WatcherEvent{ev(jute.EventNodeDataChanged, "/s-same"), ev(jute.EventNodeCreated, "/s-none"), ev(jute.EventNodeDataChanged, "/s-same")}
		if got := r.events(len(want)); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
	})
	t.Run("etcd-write-fires-zookeeper-watch", func(t *testing.T) {
		a.ok(getData("/o", true), jute.CodeOK, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := c.Client(0).Put(ctx, "/o", "from etcd"); err != nil {
			t.Fatal(err)
		}
		if got := a.nextEvent(); got != ev(jute.EventNodeDataChanged, "/o") {
			t.Fatalf("event %v", got)
		}
	})
}
