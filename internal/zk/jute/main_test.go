package jute

import (
	"testing"
	"time"

	"github.com/concordkv/concord/test/leakcheck"
)

// TestMain fails the run if a goroutine of the fake server or of the
// go-zookeeper client outlives the tests.
func TestMain(m *testing.M) {
	leakcheck.Main(m, 5*time.Second, "internal/zk/jute.", "go-zookeeper/zk.")
}
