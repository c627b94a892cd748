package e2e

import (
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

// collect reads events from ch until n arrived or timeout.
func collect(t *testing.T, ch clientv3.WatchChan, n int, timeout time.Duration) []*clientv3.Event {
	t.Helper()
	var got []*clientv3.Event
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case wr, ok := <-ch:
			if !ok {
				t.Fatalf("watch closed after %d of %d events", len(got), n)
			}
			if err := wr.Err(); err != nil {
				t.Fatalf("watch error after %d events: %v", len(got), err)
			}
			got = append(got, wr.Events...)
		case <-deadline:
			t.Fatalf("only %d of %d events within %v", len(got), n, timeout)
		}
	}
	return got
}

func TestWatchAcrossMembers(t *testing.T) {
	c := cluster.StartProcesses(t, 3)
	ctx := ctxFor(t, 60*time.Second)
	watcher := c.Client(c.Endpoint(0))
	writer := c.Client(c.Endpoint(1))

	wch := watcher.Watch(ctx, "svc/", clientv3.WithPrefix(), clientv3.WithPrevKV())
	// the watch is created once its first response arrives; a progress
	// request forces one
	if err := watcher.RequestProgress(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := writer.Put(ctx, "svc/a", "1")
	if err != nil {
		t.Fatal(err)
	}
	const writes = 200
	for i := 1; i < writes; i++ {
		if _, err := writer.Put(ctx, fmt.Sprintf("svc/%d", i%7), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := writer.Delete(ctx, "svc/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, wch, writes+8, 20*time.Second) // 7 numbered keys + svc/a deleted
	var last int64
	for i, ev := range evs {
		if ev.Kv.ModRevision < last {
			t.Fatalf("event %d at revision %d after %d: out of order", i, ev.Kv.ModRevision, last)
		}
		last = ev.Kv.ModRevision
	}
	if evs[0].Kv.ModRevision != first.Header.Revision || string(evs[0].Kv.Key) != "svc/a" {
		t.Fatalf("first event %v, want the put of svc/a at %d", evs[0], first.Header.Revision)
	}
	if del := evs[len(evs)-1]; del.Type != mvccpb.DELETE || del.PrevKv == nil {
		t.Fatalf("last event %v, want a delete with its previous value", del)
	}

	t.Run("replay from an old revision", func(t *testing.T) {
		old := watcher.Watch(ctx, "svc/a", clientv3.WithRev(first.Header.Revision))
		evs := collect(t, old, 2, 10*time.Second)
		if evs[0].Type != mvccpb.PUT || evs[1].Type != mvccpb.DELETE {
			t.Fatalf("replayed %v, want put then delete", evs)
		}
	})
	t.Run("compacted revision is refused", func(t *testing.T) {
		cur, err := writer.Get(ctx, "svc/a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := writer.Compact(ctx, cur.Header.Revision); err != nil {
			t.Fatal(err)
		}
		// The writer's member has applied the compaction; a linearizable
		// read through the watcher's member makes sure it has too.
		if _, err := watcher.Get(ctx, "svc/a"); err != nil {
			t.Fatal(err)
		}
		// compact_revision is the first revision a watch can start at
		// without a gap: compaction drops tombstones at the compacted
		// revision itself (docs/watch.md)
		wr := <-watcher.Watch(ctx, "svc/", clientv3.WithPrefix(), clientv3.WithRev(first.Header.Revision))
		if wr.CompactRevision != cur.Header.Revision+1 || wr.Err() != rpctypes.ErrCompacted {
			t.Fatalf("watch from a compacted revision: compact_revision %d, err %v; want %d and %v", wr.CompactRevision, wr.Err(), cur.Header.Revision+1, rpctypes.ErrCompacted)
		}
	})
}
