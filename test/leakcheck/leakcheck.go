// Package leakcheck fails a test binary whose goroutines outlive its
// tests: every client, watcher and connection a test starts must be gone
// once the tests have returned and their clean-ups have run.
package leakcheck

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Main runs the tests and then waits up to wait for every goroutine whose
// stack mentions one of code (package paths such as "go-zookeeper/zk.")
// to end; the binary fails, listing their stacks, if some do not. A fuzzing
// run is not checked: its workers come and go on their own. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m, 10*time.Second, "go-zookeeper/zk.") }
func Main(m *testing.M, wait time.Duration, code ...string) {
	status := m.Run()
	if f := flag.Lookup("test.fuzz"); status == 0 && (f == nil || f.Value.String() == "") {
		if left := Lingering(wait, code...); left != "" {
			fmt.Fprintf(os.Stderr, "leakcheck: goroutines outlived the tests:\n%s\n", left)
			status = 1
		}
	}
	os.Exit(status)
}

// Lingering waits up to wait for the goroutines running code to end and
// returns the stacks of those that do not, or "".
func Lingering(wait time.Duration, code ...string) string {
	deadline := time.Now().Add(wait)
	for {
		left := matching(code)
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// matching returns the stacks of the current goroutines, but the caller's,
// that mention one of code.
func matching(code []string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := strings.Split(string(buf), "\n\n")
	var out []string
	for _, g := range stacks[1:] { // the first is this goroutine
		for _, c := range code {
			if strings.Contains(g, c) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
