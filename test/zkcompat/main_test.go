package zkcompat

import (
	"testing"
	"time"

	"github.com/concordkv/concord/test/leakcheck"
)

// TestMain fails the run if a goroutine of go-zookeeper, of a link or of
// these tests outlives the tests.
func TestMain(m *testing.M) {
	leakcheck.Main(m, 10*time.Second, "go-zookeeper/zk.", "test/zkcompat.", "test/cluster.")
}
