package lease

import (
	"sync"
	"testing"
	"time"
)

func TestIDGen(t *testing.T) {
	start := time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)
	seen := make(map[int64]string)
	record := func(who string, id int64) {
		t.Helper()
		if id <= 0 {
			t.Fatalf("%s issued non-positive ID %d", who, id)
		}
		if prev, dup := seen[id]; dup {
			t.Fatalf("%s issued %x, already issued by %s", who, id, prev)
		}
		seen[id] = who
	}
	// three members, each restarted a millisecond later, 10 000 IDs per run
	for _, member := range []uint64{0x8e9e05c52164694d, 0x91bc3c398fb3c146, 0xfd422379fda50e48} {
		for run := range 3 {
			g := NewIDGen(member, start.Add(time.Duration(run)*time.Second))
			for range 10_000 {
				record("member", g.Next())
			}
		}
	}
	// concurrent callers of one generator
	g := NewIDGen(1, start)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5_000 {
				id := g.Next()
				mu.Lock()
				record("concurrent", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// a member ID of 0 before the epoch still yields positive IDs
	if id := NewIDGen(0, time.Unix(0, 0)).Next(); id <= 0 {
		t.Fatalf("ID %d", id)
	}
}
