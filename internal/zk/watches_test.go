package zk

import (
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// store events at revision 6
func created(key string) mvccpb.Event {
	return mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), CreateRevision: 6, ModRevision: 6, Version: 1}}
}

func changed(key string) mvccpb.Event {
	return mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), CreateRevision: 2, ModRevision: 6, Version: 2}}
}

func deleted(key string) mvccpb.Event {
	return mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte(key), ModRevision: 6}}
}

// TestWatchFire tables which notifications a store event sends a
// connection holding some watches, and how many watches survive it.
func TestWatchFire(t *testing.T) {
	n := func(typ jute.EventType, path string) notification { return notification{typ, path, 6} }
	type set struct {
		typ  watchType
		path string
		rev  int64
	}
	for _, tc := range []struct {
		name    string
		watches []set
		event   mvccpb.Event
		want    []notification
		left    int // watches after the change
	}{
		{"data-on-change", []set{{watchData, "/a", 5}}, changed("/a"), []notification{n(jute.EventNodeDataChanged, "/a")}, 0},
		{"not-before-it-was-set", []set{{watchData, "/a", 6}}, changed("/a"), nil, 1},
		{"exist-on-create", []set{{watchExist, "/a", 5}}, created("/a"), []notification{n(jute.EventNodeCreated, "/a")}, 0},
		{"data-and-exist-one-notification", []set{{watchData, "/a", 5}, {watchExist, "/a", 5}}, deleted("/a"),
			[]notification{n(jute.EventNodeDeleted, "/a")}, 0},
		{"child-on-own-delete", []set{{watchChild, "/a", 5}}, deleted("/a"), []notification{n(jute.EventNodeDeleted, "/a")}, 0},
		{"child-not-on-data", []set{{watchChild, "/a", 5}}, changed("/a"), nil, 1},
		{"child-on-child-create", []set{{watchChild, "/a", 5}, {watchData, "/a", 5}}, created("/a/b"),
			[]notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"not-on-grandchild", []set{{watchChild, "/a", 5}}, created("/a/b/c"), nil, 1},
		{"root-children", []set{{watchChild, "/", 5}}, deleted("/a"), []notification{n(jute.EventNodeChildrenChanged, "/")}, 0},
		{"own-then-parent", []set{{watchChild, "/a", 5}, {watchExist, "/a/b", 5}}, created("/a/b"),
			[]notification{n(jute.EventNodeCreated, "/a/b"), n(jute.EventNodeChildrenChanged, "/a")}, 0},
		{"persistent-stays", []set{{watchPersistent, "/a", 5}}, changed("/a"), []notification{n(jute.EventNodeDataChanged, "/a")}, 1},
		{"persistent-children", []set{{watchPersistent, "/a", 5}}, deleted("/a/b"), []notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"persistent-and-child-one-notification", []set{{watchPersistent, "/a", 5}, {watchChild, "/a", 5}}, created("/a/b"),
			[]notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"recursive-subtree", []set{{watchRecursive, "/a", 5}}, created("/a/b/c"), []notification{n(jute.EventNodeCreated, "/a/b/c")}, 1},
		{"recursive-never-children", []set{{watchRecursive, "/a", 5}}, deleted("/a/b"), []notification{n(jute.EventNodeDeleted, "/a/b")}, 1},
		{"recursive-root", []set{{watchRecursive, "/", 5}}, changed("/x"), []notification{n(jute.EventNodeDataChanged, "/x")}, 1},
		{"recursive-not-a-sibling-prefix", []set{{watchRecursive, "/a", 5}}, created("/ab"), nil, 1},
		{"root-key-is-data", []set{{watchData, "/", 5}}, created("/"), []notification{n(jute.EventNodeDataChanged, "/")}, 0},
		{"invisible-key", []set{{watchRecursive, "/", 5}}, created("/a//b"), nil, 1},
		{"reserved-subtree", []set{{watchRecursive, "/", 5}}, created("/zookeeper/x"), nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := newWatchTable()
			for _, w := range tc.watches {
				tab.add(watchAdd{w.typ, w.path}, w.rev)
			}
			var evs []pendingEvent
			for _, we := range znode.WatchEvents(nil, &tc.event) {
				evs = append(evs, pendingEvent{we, 6})
			}
			// the same event from a second feed counts once
			got, _ := tab.fireAll(append(evs, evs...))
			if !slices.Equal(got, tc.want) || tab.len() != tc.left {
				t.Fatalf("fire = %v leaving %d watches, want %v leaving %d", got, tab.len(), tc.want, tc.left)
			}
		})
	}
}

// TestWatchFeeds follows the feeds a table needs as watches come and go.
func TestWatchFeeds(t *testing.T) {
	tab := newWatchTable()
	if added := tab.add(watchAdd{watchData, "/a"}, 1); !slices.Equal(added, []feed{{"/a", false}}) {
		t.Fatalf("first watch needs %v", added)
	}
	if added := tab.add(watchAdd{watchChild, "/a"}, 1); !slices.Equal(added, []feed{{"/a", true}}) {
		t.Fatalf("child watch adds %v", added)
	}
	if added := tab.add(watchAdd{watchData, "/a"}, 2); added != nil || tab.len() != 2 {
		t.Fatalf("setting a watch again added %v, %d watches", added, tab.len())
	}
	_, dropped := tab.fireAll([]pendingEvent{{znode.WatchEvent{Type: znode.NodeDeleted, Path: "/a"}, 3}})
	slices.SortFunc(dropped, func(x, y feed) int {
		if x.below == y.below {
			return 0
		}
		if x.below {
			return 1
		}
		return -1
	})
	if !slices.Equal(dropped, []feed{{"/a", false}, {"/a", true}}) || tab.len() != 0 {
		t.Fatalf("delete dropped %v, %d watches left", dropped, tab.len())
	}
	if _, ok := tab.remove(watchData, "/a"); ok {
		t.Fatal("removed a watch that fired")
	}
}
