package mvcc

import (
	"errors"
	"slices"
	"testing"
)

func put(key, val string) *TxnRequest {
	return &TxnRequest{Success: []Op{{Type: OpPut, Key: []byte(key), Value: []byte(val)}}}
}

func TestBatch(t *testing.T) {
	s := New()
	mustTxn(t, s, put("a", "1"))
	// Writes of several calls share one revision, and each call sees the
	// ones before.
	res, err := s.Write(func(b *Batch) error {
		if b.Rev() != 3 {
			t.Fatalf("batch rev %d, want 3", b.Rev())
		}
		if _, err := b.Txn(put("b", "2")); err != nil {
			return err
		}
		if kv, ok := b.Get([]byte("b")); !ok || string(kv.Value) != "2" || kv.ModRevision != 3 {
			t.Fatalf("batch get b: %+v %v", kv, ok)
		}
		if _, err := b.Txn(&TxnRequest{Success: []Op{{Type: OpDelete, Key: []byte("a")}}}); err != nil {
			return err
		}
		if _, ok := b.Get([]byte("a")); ok {
			t.Fatal("batch sees a deleted key")
		}
		if len(b.Events()) != 2 {
			t.Fatalf("events so far: %d", len(b.Events()))
		}
		return nil
	})
	if err != nil || res.Rev != 3 || len(res.Events) != 2 || s.Rev() != 3 {
		t.Fatalf("batch = %+v, %v; store at %d", res, err, s.Rev())
	}
	// A callback that fails undoes every write of the batch.
	boom := errors.New("boom")
	_, err = s.Write(func(b *Batch) error {
		b.Txn(put("c", "3"))
		b.Txn(put("b", "changed"))
		return boom
	})
	if !errors.Is(err, boom) || s.Rev() != 3 {
		t.Fatalf("failed batch: %v, rev %d", err, s.Rev())
	}
	got, _ := s.Range([]byte("a"), []byte("z"), RangeOptions{})
	if len(got.KVs) != 1 || string(got.KVs[0].Value) != "2" {
		t.Fatalf("after a failed batch: %+v", got.KVs)
	}
	// A batch that writes nothing keeps the revision.
	if res, err := s.Write(func(*Batch) error { return nil }); err != nil || res.Rev != 3 || len(res.Events) != 0 {
		t.Fatalf("empty batch: %+v %v", res, err)
	}
}

func TestSeek(t *testing.T) {
	s := New()
	for _, k := range []string{"/a", "/a/x", "/a/x/1", "/a/x/2", "/a/y", "/b"} {
		mustTxn(t, s, put(k, "v"))
	}
	if _, err := s.DeleteRange([]byte("/a/y"), nil); err != nil {
		t.Fatal(err)
	}
	type visit struct {
		key  string
		live bool
	}
	for _, tc := range []struct {
		name     string
		from     string
		end      string
		skipFrom string // when visiting this key, seek to skipTo
		skipTo   string
		want     []visit
	}{
		{"all", "/", "0", "", "", []visit{{"/a", true}, {"/a/x", true}, {"/a/x/1", true}, {"/a/x/2", true}, {"/a/y", false}, {"/b", true}}},
		{"skip a subtree", "/a/", "/a0", "/a/x/1", "/a/x0", []visit{{"/a/x", true}, {"/a/x/1", true}, {"/a/y", false}}},
		{"skip to the end", "/", "0", "/a", "0", []visit{{"/a", true}}},
		{"backwards ignored", "/", "0", "/a/x/2", "/a", []visit{{"/a", true}, {"/a/x", true}, {"/a/x/1", true}, {"/a/x/2", true}, {"/a/y", false}, {"/b", true}}},
		{"empty range", "/c", "/d", "", "", nil},
	} {
		var got []visit
		s.Seek([]byte(tc.from), []byte(tc.end), func(key []byte, live bool) []byte {
			got = append(got, visit{string(key), live})
			if string(key) == tc.skipFrom {
				return []byte(tc.skipTo)
			}
			return nil
		})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: visited %v, want %v", tc.name, got, tc.want)
		}
	}
}
