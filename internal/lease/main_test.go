package lease

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines running this module's code outlive
// the tests (not when fuzzing, whose workers come and go on their own).
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.fuzz"); code == 0 && (f == nil || f.Value.String() == "") {
		deadline := time.Now().Add(5 * time.Second)
		leaked := ourGoroutines()
		for len(leaked) > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
			leaked = ourGoroutines()
		}
		if len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leaked goroutines:\n%s\n", strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// ourGoroutines returns the stacks of goroutines in this module's code,
// except TestMain's own.
func ourGoroutines() []string {
	buf := make([]byte, 1<<20)
	var ours []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "concordkv/concord/") && !strings.Contains(g, ".TestMain(") {
			ours = append(ours, g)
		}
	}
	return ours
}

// checkFor polls cond until it holds, failing the test after 20 s.
func checkFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
