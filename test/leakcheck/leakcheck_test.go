package leakcheck

import (
	"strings"
	"testing"
	"time"
)

func parkedHere(stop <-chan struct{}) { <-stop }

func TestLingering(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { parkedHere(stop); close(done) }()
	time.Sleep(10 * time.Millisecond) // let it park
	if left := Lingering(50*time.Millisecond, "leakcheck.parkedHere"); !strings.Contains(left, "parkedHere") {
		t.Fatalf("a parked goroutine was not reported: %q", left)
	}
	close(stop)
	<-done
	if left := Lingering(time.Second, "leakcheck.parkedHere"); left != "" {
		t.Fatalf("an ended goroutine was reported:\n%s", left)
	}
	if left := Lingering(0, "no such code"); left != "" {
		t.Fatalf("unrelated goroutines were reported:\n%s", left)
	}
}
