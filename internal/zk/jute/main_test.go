package jute

import (
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if a goroutine of the fake server or of the
// go-zookeeper client outlives the tests (fuzzing aside: its workers come
// and go on their own).
func TestMain(m *testing.M) {
	code := m.Run()
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	if code == 0 && !fuzzing {
		if stacks := lingering(5 * time.Second); stacks != "" {
			os.Stderr.WriteString("goroutines outlived the tests:\n" + stacks + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// lingering waits up to wait for the goroutines running this package's or
// go-zookeeper's code to end, and returns the stacks of those that do not.
func lingering(wait time.Duration) string {
	var left []string
	for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		left = left[:0]
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			ours := strings.Contains(g, "internal/zk/jute.") || strings.Contains(g, "go-zookeeper/zk.")
			if ours && !strings.Contains(g, "jute.TestMain(") {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
	}
}
