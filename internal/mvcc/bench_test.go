package mvcc

import (
	"fmt"
	"testing"
)

const benchKeys = 10_000

func benchKeySet() [][]byte {
	keys := make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "/registry/pods/default/pod-%05d", i)
	}
	return keys
}

// BenchmarkPut writes 256-byte values round-robin over 10k keys.
func BenchmarkPut(b *testing.B) {
	keys, value := benchKeySet(), make([]byte, 256)
	s := New()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Put(keys[i%benchKeys], value, 0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRangeOne reads one key of 10k.
func BenchmarkRangeOne(b *testing.B) {
	keys, value := benchKeySet(), make([]byte, 256)
	s := New()
	for _, k := range keys {
		if _, err := s.Put(k, value, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		res, err := s.Range(keys[i%benchKeys], nil, RangeOptions{})
		if err != nil || len(res.KVs) != 1 {
			b.Fatal(err)
		}
		i++
	}
}
