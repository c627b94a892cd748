package lease

import (
	"testing"
	"time"

	"github.com/concordkv/concord/test/leakcheck"
)

// TestMain fails the run if goroutines running this module's code outlive
// the tests.
func TestMain(m *testing.M) { leakcheck.Main(m, 5*time.Second, "concordkv/concord/internal/") }

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
