package zk

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/proposal"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		ask  int32
		want time.Duration
	}{{-5, 4 * time.Second}, {0, 4 * time.Second}, {3999, 4 * time.Second}, {4001, 4001 * time.Millisecond}, {40000, 40 * time.Second}, {1 << 30, 40 * time.Second}} {
		if got := negotiate(tc.ask, 4*time.Second, 40*time.Second); got != tc.want {
			t.Errorf("negotiate(%d) = %v, want %v", tc.ask, got, tc.want)
		}
	}
}

func TestBucket(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBucket(10, 2, func() time.Time { return now })
	var delays []time.Duration
	for range 4 {
		delays = append(delays, b.delay())
	}
	// two saved up, then one every 100 ms, queued behind each other
	if want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond}; !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	now = now.Add(time.Second) // earns 10, keeps 2
	if d := b.delay(); d != 0 {
		t.Fatalf("after a quiet second: delay %v", d)
	}
}

func TestFIFO(t *testing.T) {
	q := newFIFO[string](3, 10)
	ctx := context.Background()
	for _, s := range []string{"aaaa", "bbbb"} {
		if err := q.put(ctx, s, len(s)); err != nil {
			t.Fatal(err)
		}
	}
	// a third item of 4 bytes would pass 10 bytes: put waits
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := q.put(short, "cccc", 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("put over the byte limit: %v", err)
	}
	items, last, err := q.take(ctx)
	if !slices.Equal(items, []string{"aaaa", "bbbb"}) || last || err != nil {
		t.Fatalf("take = %v %v %v", items, last, err)
	}
	// one item always fits in an empty queue, however large
	if err := q.put(ctx, "a very large item", 17); err != nil {
		t.Fatal(err)
	}
	q.closeAfter()
	if err := q.put(ctx, "x", 1); !errors.Is(err, errClosing) {
		t.Fatalf("put after closeAfter: %v", err)
	}
	if items, last, _ := q.take(ctx); len(items) != 1 || !last {
		t.Fatalf("take after closeAfter = %v %v", items, last)
	}
}

func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		err   error
		code  jute.Code
		fatal bool
	}{
		{nil, jute.CodeOK, false},
		{znode.ErrNoNode, jute.CodeNoNode, false},
		{znode.ErrRuntimeInconsistency, jute.CodeRuntimeInconsistency, false},
		{lease.ErrNotFound, jute.CodeSessionExpired, false},
		{&jute.UnknownOpError{Op: 10}, jute.CodeUnimplemented, false},
		{&jute.DecodeError{Err: jute.ErrTruncated}, jute.CodeMarshallingError, false},
		{errNoWatcher, jute.CodeNoWatcher, false},
		{errors.New("anything else"), jute.CodeSystemError, false},
		{proposal.ErrNoLeader, jute.CodeSystemError, true},
		{context.Canceled, jute.CodeSystemError, true},
	} {
		if got := codeOf(tc.err); got != tc.code || fatal(tc.err) != tc.fatal {
			t.Errorf("%v: code %v fatal %v, want %v %v", tc.err, got, fatal(tc.err), tc.code, tc.fatal)
		}
	}
}

// TestJavaSetOrder checks whoAmI's order against ZooKeeper 3.8's, as its
// zkCli prints it after "addauth digest alice:secret".
func TestJavaSetOrder(t *testing.T) {
	ip := znode.ID{Scheme: "ip", ID: "127.0.0.1"}
	alice := znode.ID{Scheme: "digest", ID: digestID([]byte("alice:secret"))}
	if got := javaSetOrder([]znode.ID{ip, alice}); !slices.Equal(got, []znode.ID{alice, ip}) {
		t.Fatalf("order %v", got)
	}
	if javaHash("hello") != 99162322 { // "hello".hashCode()
		t.Fatalf("javaHash(hello) = %d", javaHash("hello"))
	}
}
