package znode

import (
	"fmt"
	"testing"
)

func BenchmarkApplyCreate(b *testing.B) {
	f := newFixture(b)
	f.must(create("/b", "", Persistent))
	op := create("/b/n-", "0123456789", PersistentSequential)
	b.ReportAllocs()
	for b.Loop() {
		f.tree.Apply(&Request{Session: session, Ops: []Op{op}})
	}
}

func BenchmarkApplySetData(b *testing.B) {
	f := newFixture(b)
	f.must(create("/x", "", Persistent))
	op := set("/x", "0123456789", -1)
	b.ReportAllocs()
	for b.Loop() {
		f.tree.Apply(&Request{Session: session, Ops: []Op{op}})
	}
}

func BenchmarkGet(b *testing.B) {
	f := newFixture(b)
	f.must(create("/x", "0123456789", Persistent))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.tree.Get("/x"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChildren lists 1,000 children, each with 10 descendants that
// the listing seeks past.
func BenchmarkChildren(b *testing.B) {
	f := newFixture(b)
	f.must(create("/p", "", Persistent))
	for i := range 1000 {
		c := fmt.Sprintf("/p/c%04d", i)
		f.must(create(c, "", Persistent))
		for j := range 10 {
			f.etcdPut(fmt.Sprintf("%s/d%d", c, j), "", 0)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if names, _, err := f.tree.Children("/p"); err != nil || len(names) != 1000 {
			b.Fatal(len(names), err)
		}
	}
}
