package fault

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/wal"
	"github.com/concordkv/concord/test/cluster"
)

// A failing fsync must stop the member, and the client must get an error,
// never an acknowledgement.
func TestFailingFsyncStopsMember(t *testing.T) {
	var failing atomic.Bool
	errDisk := errors.New("injected: disk on fire")
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{WAL: func(int) wal.Options {
		return wal.Options{Sync: func(f *os.File) error {
			if failing.Load() {
				return errDisk
			}
			return f.Sync()
		}}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli := c.Client()
	if _, err := cli.Put(ctx, "ok", "1"); err != nil {
		t.Fatalf("put before the fault: %v", err)
	}
	s := c.Server(0)
	failing.Store(true)
	pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
	_, err := cli.Put(pctx, "doomed", "1")
	pcancel()
	if err == nil {
		t.Fatal("a write was acknowledged although its fsync failed")
	}
	t.Logf("client got: %v", err)
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("member still running after a failed fsync")
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("member stopped with %v, want the fsync error", err)
	}
}
