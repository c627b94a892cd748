package zkcompat

import (
	"errors"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// expirySlack is how long after its timeout a session may still be alive:
// ZooKeeper expires sessions on tick boundaries (500 ms here).
const expirySlack = time.Second

// testSessions covers session expiry, closing, and reconnecting: to
// another member with the session kept, and with watches re-registered
// (setWatches) so that changes made while the client was away are told.
func testSessions(t *testing.T, tg *target) {
	obs := tg.connect(t, connectOpts{})
	mustCreate(t, obs, "/sess", "")

	t.Run("expiry-removes-ephemerals", func(t *testing.T) {
		a := tg.connect(t, connectOpts{timeout: 2 * time.Second})
		mustCreate(t, obs, "/sess/p1", "")
		mustCreate(t, obs, "/sess/p2", "")
		if _, err := a.Create("/sess/p1/e", nil, zk.FlagEphemeral, openACL); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Create("/sess/p2/e-", nil, zk.FlagEphemeralSequential, openACL); err != nil {
			t.Fatal(err)
		}
		mustSync(t, obs, "/sess")
		_, _, gone, err := obs.ExistsW("/sess/p1/e")
		if err != nil {
			t.Fatal(err)
		}
		_, _, kids, err := obs.ChildrenW("/sess/p2")
		if err != nil {
			t.Fatal(err)
		}
		_, _, own, err := a.GetW("/sess/p1")
		if err != nil {
			t.Fatal(err)
		}
		timeout := negotiatedTimeout(a)
		cut := time.Now()
		a.net.cutOff() // the client stops pinging, as if it had crashed
		if ev := recv(t, gone, timeout+watchWait); ev.Type != zk.EventNodeDeleted {
			t.Fatalf("exist watch: %v", ev.Type)
		}
		took := time.Since(cut)
		t.Logf("session of %v expired %v after its client went silent", timeout, took.Round(10*time.Millisecond))
		if took < timeout/2 || took > timeout+expirySlack {
			t.Errorf("ephemeral removed %v after the client went silent; session timeout %v", took, timeout)
		}
		if ev := recv(t, kids, watchWait); ev.Type != zk.EventNodeChildrenChanged {
			t.Fatalf("child watch: %v", ev.Type)
		}
		p1, p2 := mustStat(t, obs, "/sess/p1"), mustStat(t, obs, "/sess/p2")
		if p1.NumChildren != 0 || p2.NumChildren != 0 || p1.Pzxid != p2.Pzxid {
			t.Errorf("after expiry: p1 %+v, p2 %+v; want no children and one pzxid (one transaction)", p1, p2)
		}
		// the client is told its session expired, and its watches are gone
		a.net.heal()
		a.waitState(t, zk.StateExpired, 20*time.Second)
		if ev := recv(t, own, watchWait); ev.Type != zk.EventNotWatching || !errors.Is(ev.Err, zk.ErrSessionExpired) {
			t.Errorf("the expired client's own watch got %+v", ev)
		}
	})

	t.Run("close-removes-ephemerals-at-once", func(t *testing.T) {
		b := tg.connect(t, connectOpts{timeout: 10 * time.Second})
		if _, err := b.Create("/sess/closing", nil, zk.FlagEphemeral, openACL); err != nil {
			t.Fatal(err)
		}
		mustSync(t, obs, "/sess")
		_, _, gone, err := obs.ExistsW("/sess/closing")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		b.Close()
		if ev := recv(t, gone, watchWait); ev.Type != zk.EventNodeDeleted {
			t.Fatalf("exist watch: %v", ev.Type)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("ephemeral removed %v after closeSession: looks like expiry, not close", took)
		}
	})

	t.Run("reconnect-to-another-member-keeps-session", func(t *testing.T) {
		r := tg.connect(t, connectOpts{timeout: 4 * time.Second})
		if _, err := r.Create("/sess/mine", nil, zk.FlagEphemeral, openACL); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, obs, "/sess/watched", "")
		mustSync(t, r, "/sess")
		_, _, ch, err := r.GetW("/sess/watched")
		if err != nil {
			t.Fatal(err)
		}
		id, first := r.SessionID(), r.Server()
		r.net.cutOff(first) // that member is gone for this client
		r.waitState(t, zk.StateDisconnected, watchWait)
		r.waitState(t, zk.StateHasSession, 20*time.Second)
		if r.SessionID() != id || r.Server() == first {
			t.Fatalf("reconnected to %s with session %#x; was %s with %#x", r.Server(), r.SessionID(), first, id)
		}
		mustSync(t, obs, "/sess")
		st := mustStat(t, obs, "/sess/mine")
		if st.EphemeralOwner != id {
			t.Errorf("ephemeral owner %#x, want the kept session %#x", st.EphemeralOwner, id)
		}
		if _, err := obs.Set("/sess/watched", []byte("x"), -1); err != nil {
			t.Fatal(err)
		}
		if ev := recv(t, ch, watchWait); ev.Type != zk.EventNodeDataChanged {
			t.Errorf("watch after reconnect: %v", ev.Type)
		}
		if _, err := r.Create("/sess/mine2", nil, zk.FlagEphemeral, openACL); err != nil {
			t.Errorf("create on the new member: %v", err)
		}
	})

	t.Run("setwatches-tells-missed-changes", func(t *testing.T) {
		m := tg.connect(t, connectOpts{timeout: 10 * time.Second})
		for _, p := range []string{"/sess/m-data", "/sess/m-kids", "/sess/m-del", "/sess/m-same"} {
			mustCreate(t, obs, p, "")
		}
		watches := []struct {
			path string
			set  func(string) (<-chan zk.Event, error)
			want zk.EventType
		}{
			{"/sess/m-data", func(p string) (<-chan zk.Event, error) { _, _, ch, err := m.GetW(p); return ch, err }, zk.EventNodeDataChanged},
			{"/sess/m-new", func(p string) (<-chan zk.Event, error) { _, _, ch, err := m.ExistsW(p); return ch, err }, zk.EventNodeCreated},
			{"/sess/m-kids", func(p string) (<-chan zk.Event, error) { _, _, ch, err := m.ChildrenW(p); return ch, err }, zk.EventNodeChildrenChanged},
			{"/sess/m-del", func(p string) (<-chan zk.Event, error) { _, _, ch, err := m.GetW(p); return ch, err }, zk.EventNodeDeleted},
		}
		mustSync(t, m, "/sess")
		chans := make([]<-chan zk.Event, len(watches))
		for i, w := range watches {
			ch, err := w.set(w.path)
			if err != nil {
				t.Fatalf("watch %s: %v", w.path, err)
			}
			chans[i] = ch
		}
		_, _, same, err := m.GetW("/sess/m-same")
		if err != nil {
			t.Fatal(err)
		}
		m.net.cutOff()
		m.waitState(t, zk.StateDisconnected, watchWait)
		for _, write := range []func() error{
			func() error { _, err := obs.Set("/sess/m-data", []byte("x"), -1); return err },
			func() error { return create(obs, "/sess/m-new", 0, openACL) },
			func() error { return create(obs, "/sess/m-kids/x", 0, openACL) },
			func() error { return obs.Delete("/sess/m-del", -1) },
		} {
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
		m.net.heal()
		m.waitState(t, zk.StateHasSession, 20*time.Second)
		for i, w := range watches {
			if ev := recv(t, chans[i], watchWait); ev.Type != w.want || ev.Path != w.path {
				t.Errorf("missed change of %s told as %v %s, want %v", w.path, ev.Type, ev.Path, w.want)
			}
		}
		quietFor(t, same, time.Second)
	})
}
