package znode

import (
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

func TestWatchEvents(t *testing.T) {
	put := func(key string, create, mod int64) *mvccpb.Event {
		return &mvccpb.Event{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), CreateRevision: create, ModRevision: mod}}
	}
	del := func(key string) *mvccpb.Event {
		return &mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: []byte(key), ModRevision: 9}}
	}
	for _, tc := range []struct {
		ev   *mvccpb.Event
		want []WatchEvent
	}{
		{put("/a/b", 5, 5), []WatchEvent{{NodeCreated, "/a/b"}, {NodeChildrenChanged, "/a"}}},
		{put("/a", 5, 5), []WatchEvent{{NodeCreated, "/a"}, {NodeChildrenChanged, "/"}}},
		{put("/a/b", 5, 7), []WatchEvent{{NodeDataChanged, "/a/b"}}},
		{del("/a/b"), []WatchEvent{{NodeDeleted, "/a/b"}, {NodeChildrenChanged, "/a"}}},
		{put("/", 3, 3), []WatchEvent{{NodeDataChanged, "/"}}},
		{del("/"), []WatchEvent{{NodeDataChanged, "/"}}},
		{put("plain", 3, 3), nil},
		{del("/a/"), nil},
	} {
		if got := WatchEvents(nil, tc.ev); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: %v, want %v", tc.ev.Type, tc.ev.Kv.Key, got, tc.want)
		}
	}
}
