package znode

import (
	"slices"
	"testing"
)

func TestReservedSubtree(t *testing.T) {
	f := newFixture(t)
	f.etcdPut("/zookeeper/hidden", "x", 0)
	f.etcdPut("/zookeeper", "x", 0)
	f.etcdPut("/zookeeper-1", "visible", 0)
	for path, want := range map[string][]string{
		"/":                 {"zookeeper", "zookeeper-1"},
		"/zookeeper":        {"config", "quota"},
		"/zookeeper/quota":  {},
		"/zookeeper/config": {},
	} {
		names, _, err := f.tree.Children(path)
		if err != nil || !slices.Equal(names, want) {
			t.Errorf("children of %s: %v %v, want %v", path, names, err, want)
		}
	}
	if st := f.stat("/zookeeper"); st != (Stat{Cversion: -2, NumChildren: 2}) {
		t.Errorf("stat /zookeeper: %+v", st)
	}
	if data, st, err := f.tree.Get("/zookeeper"); err != nil || len(data) != 0 || st.DataLength != 0 {
		t.Errorf("get /zookeeper: %q %+v %v", data, st, err)
	}
	if _, err := f.tree.Exists("/zookeeper/hidden"); err != ErrNoNode {
		t.Errorf("etcd key in the reserved subtree: %v", err)
	}
	if st := f.stat("/"); st.NumChildren != 2 || st.Cversion != 0 {
		t.Errorf("root counts the hidden key: %+v", st)
	}
	if n, err := f.tree.AllChildrenNumber("/"); err != nil || n != 4 {
		t.Errorf("all children of /: %d %v, want 4", n, err)
	}
	if n, err := f.tree.AllChildrenNumber("/zookeeper"); err != nil || n != 2 {
		t.Errorf("all children of /zookeeper: %d %v", n, err)
	}
	for _, tc := range []struct {
		op   Op
		want error
	}{
		{create("/zookeeper", "", Persistent), ErrNodeExists},
		{create("/zookeeper/quota", "", Persistent), ErrNodeExists},
		{create("/zookeeper/new", "", Persistent), ErrBadArguments},
		{create("/zookeeper/", "", PersistentSequential), ErrBadArguments},
		{create("/zookeeper", "", PersistentSequential), nil}, // a sibling: /zookeeper0000000001
		{del("/zookeeper", -1), ErrBadArguments},
		{del("/zookeeper/hidden", -1), ErrBadArguments},
		{set("/zookeeper/config", "x", -1), ErrBadArguments},
		{setACL("/zookeeper", OpenACL, -1), ErrBadArguments},
		{check("/zookeeper/quota", 0), nil},
		{check("/zookeeper/hidden", -1), ErrNoNode},
	} {
		if r := f.apply(Request{Session: session, Ops: []Op{tc.op}}); r[0].Err != tc.want {
			t.Errorf("%+v: %v, want %v", tc.op, r[0].Err, tc.want)
		}
	}
	if !f.exists("/zookeeper0000000001") {
		t.Error("sequential sibling of /zookeeper not created")
	}
	if evs := WatchEvents(nil, f.putEvent("/zookeeper/hidden")); len(evs) != 0 {
		t.Errorf("watch events for a reserved key: %v", evs)
	}
}
