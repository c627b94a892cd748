package mvcc

import (
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

// scripted builds the history the range and txn tables read:
//
//	rev 2 put a=1        rev 6  delete b
//	rev 3 put b=22       rev 7  put b=5
//	rev 4 put c=3 lease7 rev 8  txn put e=z, foo=x
//	rev 5 put a=444      rev 9  put foo/bar=y
//	                     rev 10 put a=0
//
// Final state: a{create 2, mod 10, ver 3, "0"}, b{7, 7, 1, "5"},
// c{4, 4, 1, "3", lease 7}, e{8, 8, 1, "z"}, foo{8, 8, 1, "x"},
// foo/bar{9, 9, 1, "y"}.
func scripted(t testing.TB) *Store {
	t.Helper()
	s := New()
	put := func(k, v string, lease int64) {
		t.Helper()
		if _, err := s.Put([]byte(k), []byte(v), lease); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "1", 0)
	put("b", "22", 0)
	put("c", "3", 7)
	put("a", "444", 0)
	if _, err := s.DeleteRange([]byte("b"), nil); err != nil {
		t.Fatal(err)
	}
	put("b", "5", 0)
	mustTxn(t, s, &TxnRequest{Success: []Op{
		{Type: OpPut, Key: []byte("e"), Value: []byte("z")},
		{Type: OpPut, Key: []byte("foo"), Value: []byte("x")},
	}})
	put("foo/bar", "y", 0)
	put("a", "0", 0)
	if s.Rev() != 10 {
		t.Fatalf("scripted history ends at %d, want 10", s.Rev())
	}
	return s
}

func mustTxn(t testing.TB, s *Store, req *TxnRequest) TxnResult {
	t.Helper()
	res, err := s.Txn(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func keysOf(kvs []*mvccpb.KeyValue) []string {
	out := []string{}
	for _, kv := range kvs {
		out = append(out, string(kv.Key))
	}
	return out
}

func get(t testing.TB, s *Store, key string, rev int64) *mvccpb.KeyValue {
	t.Helper()
	res, err := s.Range([]byte(key), nil, RangeOptions{Rev: rev})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KVs) == 0 {
		return nil
	}
	return res.KVs[0]
}

func TestNewStore(t *testing.T) {
	s := New()
	if s.Rev() != 1 || s.CompactRev() != 0 {
		t.Fatalf("new store at rev %d compact %d, want 1 and 0", s.Rev(), s.CompactRev())
	}
	res, err := s.Put([]byte("k"), []byte("v"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rev != 2 || s.Rev() != 2 {
		t.Fatalf("first write produced rev %d (store %d), want 2", res.Rev, s.Rev())
	}
}

func TestViewBytes(t *testing.T) {
	s := New()
	if got := s.View().Bytes(); got != 0 {
		t.Fatalf("empty store: %d bytes", got)
	}
	s.Put([]byte("key"), make([]byte, 100), 0)
	s.Put([]byte("key"), make([]byte, 50), 0)
	want := int64(3 + 100 + 50 + 2*recordOverhead)
	if got := s.View().Bytes(); got != want {
		t.Fatalf("two versions of one key: %d bytes, want %d", got, want)
	}
	if err := s.Compact(s.Rev()); err != nil {
		t.Fatal(err)
	}
	if got, want := s.View().Bytes(), int64(3+50+recordOverhead); got != want {
		t.Fatalf("after compaction: %d bytes, want %d", got, want)
	}
}
