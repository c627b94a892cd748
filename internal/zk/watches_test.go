package zk

import (
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/zk/jute"
)

// TestWatchFire tables which notifications a change sends a connection
// holding some watches, and which watches survive it.
func TestWatchFire(t *testing.T) {
	n := func(typ jute.EventType, path string) notification { return notification{typ, path} }
	type set struct {
		typ  watchType
		path string
		rev  int64
	}
	for _, tc := range []struct {
		name    string
		watches []set
		change  change
		want    []notification
		left    int // watches after the change
	}{
		{"data-on-change", []set{{watchData, "/a", 5}}, change{"/a", 6, nodeChanged},
			[]notification{n(jute.EventNodeDataChanged, "/a")}, 0},
		{"not-before-it-was-set", []set{{watchData, "/a", 6}}, change{"/a", 6, nodeChanged}, nil, 1},
		{"exist-on-create", []set{{watchExist, "/a", 5}}, change{"/a", 6, nodeCreated},
			[]notification{n(jute.EventNodeCreated, "/a")}, 0},
		{"data-and-exist-one-notification", []set{{watchData, "/a", 5}, {watchExist, "/a", 5}}, change{"/a", 6, nodeDeleted},
			[]notification{n(jute.EventNodeDeleted, "/a")}, 0},
		{"child-on-own-delete", []set{{watchChild, "/a", 5}}, change{"/a", 6, nodeDeleted},
			[]notification{n(jute.EventNodeDeleted, "/a")}, 0},
		{"child-not-on-data", []set{{watchChild, "/a", 5}}, change{"/a", 6, nodeChanged}, nil, 1},
		{"child-on-child-create", []set{{watchChild, "/a", 5}, {watchData, "/a", 5}}, change{"/a/b", 6, nodeCreated},
			[]notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"not-on-grandchild", []set{{watchChild, "/a", 5}}, change{"/a/b/c", 6, nodeCreated}, nil, 1},
		{"root-children", []set{{watchChild, "/", 5}}, change{"/a", 6, nodeDeleted},
			[]notification{n(jute.EventNodeChildrenChanged, "/")}, 0},
		{"own-then-parent", []set{{watchChild, "/a", 5}, {watchExist, "/a/b", 5}}, change{"/a/b", 6, nodeCreated},
			[]notification{n(jute.EventNodeCreated, "/a/b"), n(jute.EventNodeChildrenChanged, "/a")}, 0},
		{"persistent-stays", []set{{watchPersistent, "/a", 5}}, change{"/a", 6, nodeChanged},
			[]notification{n(jute.EventNodeDataChanged, "/a")}, 1},
		{"persistent-children", []set{{watchPersistent, "/a", 5}}, change{"/a/b", 6, nodeDeleted},
			[]notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"persistent-and-child-one-notification", []set{{watchPersistent, "/a", 5}, {watchChild, "/a", 5}}, change{"/a/b", 6, nodeCreated},
			[]notification{n(jute.EventNodeChildrenChanged, "/a")}, 1},
		{"recursive-subtree", []set{{watchRecursive, "/a", 5}}, change{"/a/b/c", 6, nodeCreated},
			[]notification{n(jute.EventNodeCreated, "/a/b/c")}, 1},
		{"recursive-never-children", []set{{watchRecursive, "/a", 5}}, change{"/a/b", 6, nodeDeleted},
			[]notification{n(jute.EventNodeDeleted, "/a/b")}, 1},
		{"recursive-root", []set{{watchRecursive, "/", 5}}, change{"/x", 6, nodeChanged},
			[]notification{n(jute.EventNodeDataChanged, "/x")}, 1},
		{"recursive-not-a-sibling-prefix", []set{{watchRecursive, "/a", 5}}, change{"/ab", 6, nodeCreated}, nil, 1},
		{"root-key-is-data", []set{{watchData, "/", 5}}, change{"/", 6, nodeChanged}, []notification{n(jute.EventNodeDataChanged, "/")}, 0},
		{"invisible-key", []set{{watchRecursive, "/", 5}}, change{"/a//b", 6, nodeCreated}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := newWatchTable()
			for _, w := range tc.watches {
				tab.add(watchAdd{w.typ, w.path}, w.rev)
			}
			got, _ := tab.fire(tc.change, nil)
			if !slices.Equal(got, tc.want) || tab.len() != tc.left {
				t.Fatalf("fire = %v leaving %d watches, want %v leaving %d", got, tab.len(), tc.want, tc.left)
			}
		})
	}
}

// TestChangeOf reads hub events as znode changes; the root always
// exists, so its key only changes its data.
func TestChangeOf(t *testing.T) {
	for _, tc := range []struct {
		ev   mvccpb.Event
		want change
	}{
		{mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte("/a"), ModRevision: 4, Version: 1}}, change{"/a", 4, nodeCreated}},
		{mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte("/a"), ModRevision: 5, Version: 2}}, change{"/a", 5, nodeChanged}},
		{mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte("/a"), ModRevision: 6}}, change{"/a", 6, nodeDeleted}},
		{mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte("/"), ModRevision: 7, Version: 1}}, change{"/", 7, nodeChanged}},
		{mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte("/"), ModRevision: 8}}, change{"/", 8, nodeChanged}},
	} {
		if got := changeOf(&tc.ev); got != tc.want {
			t.Errorf("changeOf(%v) = %+v, want %+v", tc.ev, got, tc.want)
		}
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
	_, dropped := tab.fire(change{"/a", 3, nodeDeleted}, nil)
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
