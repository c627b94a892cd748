package mvcc

import (
	"errors"
	"slices"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
)

func TestCompare(t *testing.T) {
	s := scripted(t) // c: create 4, mod 4, version 1, value "3", lease 7
	c := func(key string, target CompareTarget, result CompareResult, operand int64) Compare {
		return Compare{Key: []byte(key), Target: target, Result: result,
			Version: operand, CreateRev: operand, ModRev: operand, Lease: operand}
	}
	val := func(key string, result CompareResult, v string) Compare {
		return Compare{Key: []byte(key), Target: TargetValue, Result: result, Value: []byte(v)}
	}
	rng := func(key, end string, target CompareTarget, result CompareResult, operand int64) Compare {
		cmp := c(key, target, result, operand)
		cmp.End = []byte(end)
		return cmp
	}
	tests := []struct {
		name string
		cmp  Compare
		want bool
	}{
		{"version equal", c("c", TargetVersion, Equal, 1), true},
		{"version not equal", c("c", TargetVersion, NotEqual, 1), false},
		{"version greater", c("c", TargetVersion, Greater, 0), true},
		{"version less", c("c", TargetVersion, Less, 1), false},
		{"create equal", c("c", TargetCreate, Equal, 4), true},
		{"create greater", c("c", TargetCreate, Greater, 4), false},
		{"create less", c("c", TargetCreate, Less, 5), true},
		{"create not equal", c("c", TargetCreate, NotEqual, 3), true},
		{"mod equal", c("c", TargetMod, Equal, 4), true},
		{"mod greater", c("c", TargetMod, Greater, 3), true},
		{"mod less", c("c", TargetMod, Less, 4), false},
		{"mod not equal", c("c", TargetMod, NotEqual, 4), false},
		{"lease equal", c("c", TargetLease, Equal, 7), true},
		{"lease greater", c("c", TargetLease, Greater, 7), false},
		{"lease less", c("c", TargetLease, Less, 8), true},
		{"lease not equal", c("c", TargetLease, NotEqual, 0), true},
		{"value equal", val("c", Equal, "3"), true},
		{"value greater", val("c", Greater, "2"), true},
		{"value less", val("c", Less, "3"), false},
		{"value not equal", val("c", NotEqual, "3"), false},
		{"missing version is 0", c("nope", TargetVersion, Equal, 0), true},
		{"missing create is 0", c("nope", TargetCreate, Less, 1), true},
		{"missing mod is 0", c("nope", TargetMod, Greater, 0), false},
		{"missing lease is 0", c("nope", TargetLease, Equal, 0), true},
		{"missing value equal fails", val("nope", Equal, ""), false},
		{"missing value not equal fails", val("nope", NotEqual, "x"), false},
		{"deleted key is missing", c("b", TargetCreate, Equal, 7), true},
		{"range all hold", rng("foo", "fop", TargetVersion, Equal, 1), true},
		{"range one fails", rng("a", "d", TargetVersion, Equal, 1), false},
		{"range all keys", rng("\x00", "\x00", TargetVersion, Greater, 0), true},
		{"range from key", rng("e", "\x00", TargetCreate, Greater, 7), true},
		{"empty range is 0", rng("x", "y", TargetVersion, Equal, 0), true},
		{"empty range value fails", Compare{Key: []byte("x"), End: []byte("y"), Target: TargetValue}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustTxn(t, s, &TxnRequest{Compare: []Compare{tt.cmp}})
			if res.Succeeded != tt.want {
				t.Errorf("succeeded = %v, want %v", res.Succeeded, tt.want)
			}
			if res.Rev != 10 || s.Rev() != 10 {
				t.Errorf("read-only txn moved revision to %d", s.Rev())
			}
		})
	}
}

func TestCompareBranches(t *testing.T) {
	s := scripted(t)
	req := &TxnRequest{
		Compare: []Compare{
			{Key: []byte("a"), Target: TargetVersion, Result: Equal, Version: 3},
			{Key: []byte("c"), Target: TargetValue, Result: Equal, Value: []byte("no")},
		},
		Success: []Op{{Type: OpPut, Key: []byte("s"), Value: []byte("1")}},
		Failure: []Op{{Type: OpPut, Key: []byte("f"), Value: []byte("1")}, {Type: OpRange, Key: []byte("f")}},
	}
	res := mustTxn(t, s, req)
	if res.Succeeded || len(res.Results) != 2 || get(t, s, "s", 0) != nil || get(t, s, "f", 0) == nil {
		t.Fatalf("failure branch not taken: %+v", res)
	}
	if kvs := res.Results[1].Range.KVs; len(kvs) != 1 || kvs[0].ModRevision != 11 {
		t.Errorf("range in failure branch = %v, want f@11", kvs)
	}
}

func TestTxnInvalid(t *testing.T) {
	s := scripted(t)
	for name, req := range map[string]*TxnRequest{
		"compare target": {Compare: []Compare{{Key: []byte("a"), Target: 9}}},
		"compare result": {Compare: []Compare{{Key: []byte("a"), Result: -1}}},
		"op type":        {Success: []Op{{Type: 9, Key: []byte("a")}}},
		"nil nested txn": {Success: []Op{{Type: OpPut, Key: []byte("x")}, {Type: OpTxn}}},
		"empty key":      {Success: []Op{{Type: OpPut, Key: []byte("x")}, {Type: OpPut}}},
	} {
		if _, err := s.Txn(req); !errors.Is(err, ErrInvalidOp) && !errors.Is(err, ErrEmptyKey) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if s.Rev() != 10 || get(t, s, "x", 0) != nil {
		t.Errorf("failed txns changed the store: rev %d", s.Rev())
	}
}

func TestNestedTxnOneRevision(t *testing.T) {
	s := scripted(t)
	req := &TxnRequest{Success: []Op{
		{Type: OpPut, Key: []byte("x"), Value: []byte("1")},
		{Type: OpTxn, Txn: &TxnRequest{
			// Compares see the state before the outer txn: x is missing.
			Compare: []Compare{{Key: []byte("x"), Target: TargetVersion, Result: Equal, Version: 0}},
			Success: []Op{
				{Type: OpPut, Key: []byte("y"), Value: []byte("2")},
				{Type: OpTxn, Txn: &TxnRequest{Success: []Op{{Type: OpDelete, Key: []byte("a")}}}},
			},
		}},
		{Type: OpPut, Key: []byte("z"), Value: []byte("3")},
	}}
	res := mustTxn(t, s, req)
	if res.Rev != 11 || s.Rev() != 11 {
		t.Fatalf("rev = %d (store %d), want 11", res.Rev, s.Rev())
	}
	nested := res.Results[1].Txn
	if nested == nil || !nested.Succeeded || nested.Results[1].Txn.Results[0].Deleted != 1 {
		t.Fatalf("nested result = %+v", nested)
	}
	var got []string
	for _, ev := range res.Events {
		got = append(got, ev.Type.String()+" "+string(ev.Kv.Key))
		if ev.Kv.ModRevision != 11 {
			t.Errorf("event %v has mod revision %d, want 11", ev, ev.Kv.ModRevision)
		}
	}
	if want := []string{"PUT x", "PUT y", "DELETE a", "PUT z"}; !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
	if kv := get(t, s, "y", 0); kv == nil || kv.ModRevision != 11 {
		t.Errorf("y = %+v, want mod 11", kv)
	}
}

func TestTxnReadsItsWrites(t *testing.T) {
	s := scripted(t)
	res := mustTxn(t, s, &TxnRequest{Success: []Op{
		{Type: OpRange, Key: []byte("a")},
		{Type: OpPut, Key: []byte("a"), Value: []byte("new")},
		{Type: OpRange, Key: []byte("a")},
		{Type: OpRange, Key: []byte("a"), Range: RangeOptions{Rev: 10}},
		{Type: OpDelete, Key: []byte("foo"), End: []byte("fop")},
		{Type: OpRange, Key: []byte("\x00"), End: []byte("\x00"), Range: RangeOptions{CountOnly: true}},
	}})
	before, after, old, count := res.Results[0].Range, res.Results[2].Range, res.Results[3].Range, res.Results[5].Range
	if string(before.KVs[0].Value) != "0" || before.Rev != 10 {
		t.Errorf("range before the write = %v@%d", before.KVs, before.Rev)
	}
	if kv := after.KVs[0]; string(kv.Value) != "new" || kv.ModRevision != 11 || kv.Version != 4 || after.Rev != 11 {
		t.Errorf("range after the write = %+v@%d", kv, after.Rev)
	}
	if string(old.KVs[0].Value) != "0" {
		t.Errorf("range at rev 10 inside txn = %v", old.KVs)
	}
	if count.Count != 4 {
		t.Errorf("count after deleting foo* = %d, want 4", count.Count)
	}

	// An explicit revision is checked against the txn's starting revision,
	// and the failure undoes the txn's earlier writes.
	_, err := s.Txn(&TxnRequest{Success: []Op{
		{Type: OpPut, Key: []byte("a"), Value: []byte("lost")},
		{Type: OpRange, Key: []byte("a"), Range: RangeOptions{Rev: 12}},
	}})
	if !errors.Is(err, ErrFutureRev) {
		t.Fatalf("err = %v, want ErrFutureRev", err)
	}
	if kv := get(t, s, "a", 0); string(kv.Value) != "new" || s.Rev() != 11 {
		t.Errorf("after failed txn a = %q, rev %d", kv.Value, s.Rev())
	}
}

func TestPutIgnoreValueAndLease(t *testing.T) {
	s := New()
	if _, err := s.Put([]byte("k"), []byte("v"), 5); err != nil {
		t.Fatal(err)
	}
	mustTxn(t, s, &TxnRequest{Success: []Op{{Type: OpPut, Key: []byte("k"), IgnoreValue: true, Lease: 6}}})
	if kv := get(t, s, "k", 0); string(kv.Value) != "v" || kv.Lease != 6 || kv.Version != 2 {
		t.Errorf("after ignore_value: %+v", kv)
	}
	mustTxn(t, s, &TxnRequest{Success: []Op{{Type: OpPut, Key: []byte("k"), IgnoreLease: true, Value: []byte("w")}}})
	if kv := get(t, s, "k", 0); string(kv.Value) != "w" || kv.Lease != 6 || kv.Version != 3 {
		t.Errorf("after ignore_lease: %+v", kv)
	}
	for _, op := range []Op{
		{Type: OpPut, Key: []byte("missing"), IgnoreValue: true},
		{Type: OpPut, Key: []byte("missing"), IgnoreLease: true},
	} {
		_, err := s.Txn(&TxnRequest{Success: []Op{{Type: OpPut, Key: []byte("x"), Value: []byte("1")}, op}})
		if !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("ignore on missing key: err = %v, want ErrKeyNotFound", err)
		}
	}
	// Deleted earlier in the same txn counts as missing.
	_, err := s.Txn(&TxnRequest{Success: []Op{
		{Type: OpDelete, Key: []byte("k")},
		{Type: OpPut, Key: []byte("k"), IgnoreValue: true},
	}})
	if !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("ignore_value after delete in txn: err = %v", err)
	}
	if s.Rev() != 4 || get(t, s, "x", 0) != nil || get(t, s, "k", 0) == nil {
		t.Errorf("failed txns changed the store: rev %d", s.Rev())
	}
}

func TestDeleteRange(t *testing.T) {
	s := scripted(t)
	res := mustTxn(t, s, &TxnRequest{Success: []Op{{Type: OpDelete, Key: []byte("b"), End: []byte("f"), PrevKV: true}}})
	out := res.Results[0]
	if out.Deleted != 3 || !slices.Equal(keysOf(out.PrevKVs), []string{"b", "c", "e"}) || res.Rev != 11 {
		t.Fatalf("delete [b, f) = %+v at rev %d", out, res.Rev)
	}
	for i, ev := range res.Events {
		if ev.Type != mvccpb.DELETE || ev.Kv.ModRevision != 11 || ev.Kv.Version != 0 || ev.PrevKv != out.PrevKVs[i] {
			t.Errorf("event %d = %+v", i, ev)
		}
	}
	if c := out.PrevKVs[1]; c.Lease != 7 || string(c.Value) != "3" {
		t.Errorf("prev kv of c = %+v", c)
	}

	// Deleting nothing is not a write.
	res, err := s.DeleteRange([]byte("b"), []byte("f"))
	if err != nil || res.Rev != 11 || len(res.Events) != 0 || res.Results[0].Deleted != 0 {
		t.Errorf("empty delete = %+v, %v", res, err)
	}
}

func TestSameKeyTwiceInTxn(t *testing.T) {
	s := scripted(t) // a: create 2, version 3
	res := mustTxn(t, s, &TxnRequest{Success: []Op{
		{Type: OpPut, Key: []byte("a"), Value: []byte("p1")},
		{Type: OpPut, Key: []byte("a"), Value: []byte("p2"), PrevKV: true},
		{Type: OpDelete, Key: []byte("c")},
		{Type: OpPut, Key: []byte("c"), Value: []byte("again")},
		{Type: OpPut, Key: []byte("new"), Value: []byte("n")},
		{Type: OpDelete, Key: []byte("new")},
	}})
	if res.Rev != 11 || len(res.Events) != 6 {
		t.Fatalf("rev %d, %d events", res.Rev, len(res.Events))
	}
	if p := res.Results[1].PrevKV; string(p.Value) != "p1" || p.ModRevision != 11 {
		t.Errorf("prev of second put = %+v, want the first put", p)
	}
	if kv := get(t, s, "a", 0); string(kv.Value) != "p2" || kv.Version != 5 || kv.CreateRevision != 2 {
		t.Errorf("a = %+v", kv)
	}
	if kv := get(t, s, "c", 0); string(kv.Value) != "again" || kv.Version != 1 || kv.CreateRevision != 11 {
		t.Errorf("c = %+v, want a new incarnation", kv)
	}
	if kv := get(t, s, "new", 0); kv != nil {
		t.Errorf("new = %+v, want deleted", kv)
	}
	if kv := get(t, s, "a", 10); string(kv.Value) != "0" {
		t.Errorf("a@10 = %+v", kv)
	}
}
