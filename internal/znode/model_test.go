package znode

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/concordkv/concord/internal/mvcc"
)

// model is the dumb model of child bookkeeping: per path, the number of
// child creations since the node's creation and the revision of its latest
// child change, fed with the store's events; child counts and child lists
// come from a scan of every key.
type model struct {
	creations map[string]int32
	pzxid     map[string]int64
}

func (m *model) apply(rev int64, events []mvccpb.Event) {
	for _, ev := range events {
		path := string(ev.Kv.Key)
		if !visible(path) || path == "/" {
			continue
		}
		parent, _ := splitPath(path)
		if ev.Type == mvccpb.PUT {
			if ev.PrevKv != nil {
				continue
			}
			m.creations[path], m.pzxid[path] = 0, rev
			m.creations[parent]++
		}
		m.pzxid[parent] = rev
	}
}

// scan returns every live key that is a visible path, and each path's
// children (with the virtual ones), by brute force.
func scan(t *testing.T, s *mvcc.Store) (live []string, children map[string][]string) {
	res, err := s.Range([]byte{0}, []byte{0}, mvcc.RangeOptions{KeysOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	children = map[string][]string{}
	for _, kv := range res.KVs {
		p := string(kv.Key)
		if !visible(p) {
			continue
		}
		live = append(live, p)
		if parent, ok := parentOf(p); ok {
			_, name := splitPath(p)
			children[parent] = append(children[parent], name)
		}
	}
	for p := range virtualChildren {
		children[p] = withVirtual(p, children[p])
	}
	return live, children
}

// TestModel applies random ZooKeeper requests, etcd writes and session
// expiries to a Tree and checks after each step that every node's child
// list, numChildren, cversion and pzxid match the model, that no emptied
// container survives, and that the metadata agrees with the store.
func TestModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, seed, 300) })
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 2))
	f := newFixture(t)
	m := &model{creations: map[string]int32{}, pzxid: map[string]int64{}}
	names := []string{"a", "b", "c", "zookeeper"}
	randPath := func() string {
		p := ""
		for range 1 + rng.IntN(3) {
			p += "/" + names[rng.IntN(len(names))]
		}
		return p
	}
	sessions := []int64{session}
	for step := range steps {
		var out mvcc.TxnResult
		switch k := rng.IntN(10); {
		case k < 6:
			req := Request{Session: sessions[rng.IntN(len(sessions))], Now: int64(step)}
			for range 1 + rng.IntN(3) {
				op := Op{Kind: OpKind(1 + rng.IntN(3)), Path: randPath(), ACL: OpenACL, Mode: Mode(rng.IntN(5)), TTL: NoTTL, Version: -1}
				if op.Mode == Container && rng.IntN(2) == 0 {
					op.Mode, op.TTL = PersistentSequentialTTL, 100
				}
				req.Ops = append(req.Ops, op)
			}
			_, out = f.tree.Apply(&req)
		case k < 8:
			key := randPath()
			op := mvcc.Op{Type: mvcc.OpPut, Key: []byte(key), Value: []byte("etcd")}
			if k == 7 {
				op = mvcc.Op{Type: mvcc.OpDelete, Key: []byte(key), End: []byte(key + "0")} // a subtree at once
			}
			var err error
			out, err = f.tree.Write(func(b *mvcc.Batch) error {
				_, err := b.Txn(&mvcc.TxnRequest{Success: []mvcc.Op{op}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		case k == 8 && len(sessions) > 1:
			i := rng.IntN(len(sessions))
			rev := f.store.Rev()
			f.revoke(sessions[i])
			sessions = slices.Delete(sessions, i, i+1)
			if f.store.Rev() > rev {
				evs, err := f.store.Events(nil, []byte{0}, f.store.Rev(), f.store.Rev(), 0)
				if err != nil {
					t.Fatal(err)
				}
				out = mvcc.TxnResult{Rev: f.store.Rev(), Events: evs}
			}
		default:
			id := int64(100 + step)
			f.leases.Grant(id, 1000)
			sessions = append(sessions, id)
		}
		m.apply(out.Rev, out.Events)
		checkModel(t, f, m, step)
	}
	// A snapshot restores to the same table.
	snap := f.tree.Snapshot().Marshal()
	g := New(f.store, f.leases, nil)
	if err := g.Restore(snap, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Snapshot().Marshal(), snap) {
		t.Fatal("snapshot round trip changed the table")
	}
}

func checkModel(t *testing.T, f *fixture, m *model, step int) {
	t.Helper()
	live, children := scan(t, f.store)
	for _, p := range append(live, "/", "/zookeeper") {
		names, st, err := f.tree.Children(p)
		want := children[p]
		if err != nil || !slices.Equal(names, want) || st.NumChildren != int32(len(want)) {
			t.Fatalf("step %d: children of %s = %v (stat %+v, %v), want %v", step, p, names, st, err, want)
		}
		if st.Cversion != 2*m.creations[p]-st.NumChildren || st.Pzxid != m.pzxid[p] {
			t.Fatalf("step %d: %s cversion %d pzxid %d, model %d creations, pzxid %d", step, p, st.Cversion, st.Pzxid, m.creations[p], m.pzxid[p])
		}
		if virtual(p) {
			continue
		}
		f.tree.mu.RLock()
		n := f.tree.getLocked(p)
		_, indexed := f.tree.ttls[p]
		f.tree.mu.RUnlock()
		if n.mode == Container && n.cversion > 0 && n.children == 0 && p != "/" {
			t.Fatalf("step %d: emptied container %s survives", step, p)
		}
		if indexed != (n.live && n.mode.TTL()) || (p != "/" && !n.live) {
			t.Fatalf("step %d: %s entry %+v, indexed as TTL %v", step, p, n, indexed)
		}
	}
	// Every entry describes a live key or a parent of live keys.
	f.tree.mu.RLock()
	defer f.tree.mu.RUnlock()
	f.tree.nodes.Ascend(func(n node) bool {
		if !n.live && n.children == 0 && n.path != "/" {
			t.Fatalf("step %d: stray entry %+v", step, n)
		}
		if !n.live && n.children+int32(len(virtualChildren[n.path])) != int32(len(children[n.path])) {
			t.Fatalf("step %d: orphans' parent %s counts %d, has %v", step, n.path, n.children, children[n.path])
		}
		return true
	})
}
