package proposal

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestIDGenUnique(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	a, b := NewIDGen(1, now), NewIDGen(2, now)
	restarted := NewIDGen(1, now.Add(time.Second))
	seen := map[uint64]bool{}
	for i := 0; i < 1000; i++ {
		for _, g := range []*IDGen{a, b} {
			id := g.Next()
			if seen[id] {
				t.Fatalf("duplicate id %x", id)
			}
			seen[id] = true
		}
	}
	if id := restarted.Next(); seen[id] {
		t.Fatalf("restarted member reused id %x", id)
	}
}

func TestWait(t *testing.T) {
	w := NewWait()
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	for i := uint64(1); i <= 100; i++ {
		ch := w.Register(i)
		wg.Add(1)
		go func(id uint64) {
			defer wg.Done()
			r := <-ch
			if r.Value != id || r.Err != errBoom {
				t.Errorf("id %d got %+v", id, r)
			}
		}(i)
	}
	for i := uint64(1); i <= 100; i++ {
		w.Trigger(i, Result{Value: i, Err: errBoom})
	}
	wg.Wait()
	w.Trigger(999, Result{}) // nobody waits: must not block
	w.Register(5)
	w.Cancel(5)
	if w.Len() != 0 {
		t.Fatalf("Len = %d after all done", w.Len())
	}
}
