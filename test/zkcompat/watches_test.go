package zkcompat

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// watchWait bounds the wait for a watch event that must come.
const watchWait = 10 * time.Second

// testWatches covers one-shot data, exist and child watches: what fires
// them, that they fire once, and that a client sees a watch event before the
// result of the write that triggered it. The watching client and the
// writing client are on different members, so events cross members.
// Persistent and persistent-recursive watches are in TestJavaClient:
// go-zookeeper cannot set them.
func testWatches(t *testing.T, tg *target) {
	c := tg.connect(t, connectOpts{members: []int{0}})
	w := tg.connect(t, connectOpts{members: []int{1}})
	mustCreate(t, w, "/watch", "")

	type watchFn func(path string) (<-chan zk.Event, error)
	getW := func(p string) (<-chan zk.Event, error) { _, _, ch, err := c.GetW(p); return ch, err }
	existsW := func(p string) (<-chan zk.Event, error) { _, _, ch, err := c.ExistsW(p); return ch, err }
	childrenW := func(p string) (<-chan zk.Event, error) { _, _, ch, err := c.ChildrenW(p); return ch, err }
	set := func(p string) func() error { return func() error { _, err := w.Set(p, []byte("x"), -1); return err } }
	del := func(p string) func() error { return func() error { return w.Delete(p, -1) } }
	mk := func(p string) func() error { return func() error { return create(w, p, zk.FlagPersistent, openACL) } }

	for _, tc := range []struct {
		name   string
		setup  []string // nodes created first
		watch  watchFn
		path   string
		writes []func() error // exactly one fires the watch, with want
		want   zk.EventType
	}{
		{"data-on-set", []string{"/watch/d1"}, getW, "/watch/d1", []func() error{set("/watch/d1"), set("/watch/d1")}, zk.EventNodeDataChanged},
		{"data-on-delete", []string{"/watch/d2"}, getW, "/watch/d2", []func() error{del("/watch/d2")}, zk.EventNodeDeleted},
		{"data-not-on-child", []string{"/watch/d3"}, getW, "/watch/d3", []func() error{mk("/watch/d3/c"), set("/watch/d3")}, zk.EventNodeDataChanged},
		{"exist-on-create", nil, existsW, "/watch/e1", []func() error{mk("/watch/e1"), set("/watch/e1")}, zk.EventNodeCreated},
		{"exist-on-set", []string{"/watch/e2"}, existsW, "/watch/e2", []func() error{set("/watch/e2"), del("/watch/e2")}, zk.EventNodeDataChanged},
		{"exist-on-delete", []string{"/watch/e3"}, existsW, "/watch/e3", []func() error{del("/watch/e3")}, zk.EventNodeDeleted},
		{"child-on-create", []string{"/watch/c1"}, childrenW, "/watch/c1", []func() error{mk("/watch/c1/a"), mk("/watch/c1/b")}, zk.EventNodeChildrenChanged},
		{"child-on-delete", []string{"/watch/c2", "/watch/c2/a"}, childrenW, "/watch/c2", []func() error{del("/watch/c2/a")}, zk.EventNodeChildrenChanged},
		{"child-not-on-data", []string{"/watch/c3", "/watch/c3/a"}, childrenW, "/watch/c3", []func() error{set("/watch/c3"), set("/watch/c3/a"), mk("/watch/c3/a/deeper"), mk("/watch/c3/b")}, zk.EventNodeChildrenChanged},
		{"child-on-own-delete", []string{"/watch/c4"}, childrenW, "/watch/c4", []func() error{del("/watch/c4")}, zk.EventNodeDeleted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range tc.setup {
				mustCreate(t, w, p, "")
			}
			mustSync(t, c, "/watch")
			ch, err := tc.watch(tc.path)
			if err != nil {
				t.Fatalf("set watch: %v", err)
			}
			fired := false
			for i, write := range tc.writes {
				if err := write(); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				if ev := pollEvent(c, 300*time.Millisecond); ev != nil {
					if fired {
						t.Fatalf("second event %v %s after write %d: a one-shot watch fired twice", ev.Type, ev.Path, i)
					}
					if ev.Type != tc.want || ev.Path != tc.path {
						t.Fatalf("event %v %s after write %d, want %v %s", ev.Type, ev.Path, i, tc.want, tc.path)
					}
					fired = true
				}
			}
			if !fired {
				t.Fatalf("no %v event for %s", tc.want, tc.path)
			}
			if ev := recv(t, ch, watchWait); ev.Type != tc.want {
				t.Fatalf("watch channel got %v", ev.Type)
			}
		})
	}

	t.Run("event-before-own-write-result", func(t *testing.T) {
		// ZooKeeper's ordering guarantee: the watcher's own setData returns
		// after the event it triggered has been delivered
		mustCreate(t, c, "/watch/own", "")
		_, _, ch, err := c.GetW("/watch/own")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Set("/watch/own", []byte("new"), -1); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-ch:
			if ev.Type != zk.EventNodeDataChanged {
				t.Fatalf("event %v", ev.Type)
			}
		default:
			t.Fatal("setData returned before the watch event it triggered arrived")
		}
	})
	t.Run("same-path-data-and-exist", func(t *testing.T) {
		// a data and an exist watch on one path: one notification, both fire
		c.drainEvents()
		mustCreate(t, c, "/watch/both", "")
		_, _, dch, _ := c.GetW("/watch/both")
		_, _, ech, _ := c.ExistsW("/watch/both")
		if err := w.Delete("/watch/both", -1); err != nil {
			t.Fatal(err)
		}
		recv(t, dch, watchWait)
		recv(t, ech, watchWait)
		if ev := pollEvent(c, watchWait); ev == nil || ev.Type != zk.EventNodeDeleted {
			t.Fatalf("first notification %+v", ev)
		}
		if ev := pollEvent(c, 300*time.Millisecond); ev != nil {
			t.Fatalf("second notification %+v for one change", ev)
		}
	})
}

// pollEvent returns the next watch notification c receives within d, or
// nil.
func pollEvent(c *client, d time.Duration) *zk.Event {
	select {
	case ev := <-c.events:
		return &ev
	case <-time.After(d):
		return nil
	}
}
