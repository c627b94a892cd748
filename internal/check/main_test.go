package check

import (
	"testing"
	"time"

	"github.com/concordkv/concord/test/leakcheck"
)

// TestMain fails the run if a workload's goroutines, or the clients and
// watches they opened, outlive the tests.
func TestMain(m *testing.M) {
	leakcheck.Main(m, 10*time.Second, "concord/internal/check.", "etcd/client/v3", "test/cluster.")
}
