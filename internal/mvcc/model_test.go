package mvcc

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// model is the dumb reference: the whole key space at every revision.
type model struct {
	states     []map[string]modelKV // states[r] is the key space at revision r
	compactRev int64
}

type modelKV struct {
	create, mod, version, lease int64
	value                       string
}

func newModel() *model { return &model{states: []map[string]modelKV{nil, {}}} }

func (m *model) rev() int64 { return int64(len(m.states) - 1) }

// inRange applies etcd's range rules to plain strings.
func inRange(k, key, end string) bool {
	switch end {
	case "":
		return k == key
	case "\x00":
		return k >= key
	}
	return k >= key && k < end
}

// apply runs req, which holds only puts, deletes and version compares,
// and returns the number of changes.
func (m *model) apply(req *TxnRequest) int {
	cur := m.states[m.rev()]
	next, rev, changes := maps.Clone(cur), m.rev()+1, 0
	ops := req.Success
	for _, c := range req.Compare {
		if cur[string(c.Key)].version != c.Version {
			ops = req.Failure
		}
	}
	for _, op := range ops {
		switch op.Type {
		case OpPut:
			kv := modelKV{create: rev, mod: rev, version: 1, lease: op.Lease, value: string(op.Value)}
			if old, ok := next[string(op.Key)]; ok {
				kv.create, kv.version = old.create, old.version+1
			}
			next[string(op.Key)] = kv
			changes++
		case OpDelete:
			for k := range next {
				if inRange(k, string(op.Key), string(op.End)) {
					delete(next, k)
					changes++
				}
			}
		}
	}
	if changes > 0 {
		m.states = append(m.states, next)
	}
	return changes
}

// read returns the model's answer to a key-ordered range read.
func (m *model) read(key, end string, rev int64, o RangeOptions) (kvs []string, count int64, more bool) {
	state := m.states[rev]
	for _, k := range slices.Sorted(maps.Keys(state)) {
		if !inRange(k, key, end) {
			continue
		}
		count++
		kv := state[k]
		if o.MinModRev == 0 || kv.mod >= o.MinModRev {
			kvs = append(kvs, fmt.Sprintf("%s=%s@%d/%d/%d/%d", k, kv.value, kv.create, kv.mod, kv.version, kv.lease))
		}
	}
	if o.Limit > 0 && int64(len(kvs)) > o.Limit {
		kvs, more = kvs[:o.Limit], true
	}
	return kvs, count, more
}

var modelKeys = []string{"a", "a/1", "a/2", "b", "b/1", "c", "d", "e"}

func randomSpan(rng *rand.Rand) (key, end string) {
	key = modelKeys[rng.IntN(len(modelKeys))]
	switch rng.IntN(4) {
	case 0:
		return key, ""
	case 1:
		return key, "\x00"
	case 2:
		return key, key[:len(key)-1] + string(key[len(key)-1]+1) // prefix
	}
	return key, modelKeys[rng.IntN(len(modelKeys))] // possibly empty or inverted
}

func randomTxn(rng *rand.Rand) *TxnRequest {
	randomOps := func() []Op {
		ops := make([]Op, 1+rng.IntN(3))
		for i := range ops {
			if rng.IntN(3) == 0 {
				key, end := randomSpan(rng)
				ops[i] = Op{Type: OpDelete, Key: []byte(key), End: []byte(end)}
			} else {
				ops[i] = Op{Type: OpPut, Key: []byte(modelKeys[rng.IntN(len(modelKeys))]),
					Value: fmt.Appendf(nil, "v%d", rng.IntN(100)), Lease: rng.Int64N(3)}
			}
		}
		return ops
	}
	req := &TxnRequest{Success: randomOps()}
	if rng.IntN(3) == 0 {
		req.Compare = []Compare{{Key: []byte(modelKeys[rng.IntN(len(modelKeys))]), Target: TargetVersion, Version: rng.Int64N(3)}}
		req.Failure = randomOps()
	}
	return req
}

func checkRead(t *testing.T, s *Store, m *model, rng *rand.Rand) {
	t.Helper()
	key, end := randomSpan(rng)
	rev := 1 + rng.Int64N(m.rev())
	o := RangeOptions{Rev: rev, Limit: rng.Int64N(4)}
	if rng.IntN(4) == 0 {
		o.MinModRev = 1 + rng.Int64N(rev)
	}
	res, err := s.Range([]byte(key), []byte(end), o)
	if rev < m.compactRev {
		if !errors.Is(err, ErrCompacted) {
			t.Fatalf("range at %d below compaction %d: err = %v", rev, m.compactRev, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("range [%q, %q) at %d: %v", key, end, rev, err)
	}
	var got []string
	for _, kv := range res.KVs {
		got = append(got, fmt.Sprintf("%s=%s@%d/%d/%d/%d", kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease))
	}
	want, count, more := m.read(key, end, rev, o)
	if !slices.Equal(got, want) || res.Count != count || res.More != more {
		t.Fatalf("range [%q, %q) %+v:\n got %q count %d more %v\nwant %q count %d more %v",
			key, end, o, got, res.Count, res.More, want, count, more)
	}
}

func TestAgainstModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x6d766363))
			s, m := New(), newModel()
			for step := 0; step < 300; step++ {
				switch n := rng.IntN(20); {
				case n == 0 && m.rev() > m.compactRev:
					rev := m.compactRev + 1 + rng.Int64N(m.rev()-m.compactRev)
					if err := s.Compact(rev); err != nil {
						t.Fatalf("compact %d: %v", rev, err)
					}
					m.compactRev = rev
				case n == 1:
					s = restored(t, s)
				default:
					req := randomTxn(rng)
					res, err := s.Txn(req)
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					if changes := m.apply(req); len(res.Events) != changes || res.Rev != m.rev() {
						t.Fatalf("step %d: %d events at rev %d, model %d changes at rev %d",
							step, len(res.Events), res.Rev, changes, m.rev())
					}
				}
				for range 3 {
					checkRead(t, s, m, rng)
				}
			}
		})
	}
}

// restored round-trips s through a snapshot and checks nothing changed.
func restored(t *testing.T, s *Store) *Store {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.View().WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r := New()
	if err := r.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	h1, c1, err1 := s.HashKV(0)
	h2, c2, err2 := r.HashKV(0)
	if h1 != h2 || c1 != c2 || err1 != nil || err2 != nil || r.Rev() != s.Rev() {
		t.Fatalf("restored store differs: hash %08x/%08x compact %d/%d rev %d/%d (%v, %v)",
			h1, h2, c1, c2, s.Rev(), r.Rev(), err1, err2)
	}
	return r
}
