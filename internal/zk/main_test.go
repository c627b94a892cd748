package zk_test

import (
	"testing"
	"time"

	"github.com/concordkv/concord/test/leakcheck"
)

// TestMain fails the run if a goroutine of the front end, of the members
// the tests start, or of go-zookeeper outlives the tests.
func TestMain(m *testing.M) {
	leakcheck.Main(m, 10*time.Second, "internal/zk.", "internal/server.", "go-zookeeper/zk.")
}
