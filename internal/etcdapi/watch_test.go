package etcdapi

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime"
	"slices"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/watch"
)

// waitFor bounds every wait; generous because -race slows everything.
const waitFor = 10 * time.Second

// watchEnv is a store and hub behind a real gRPC server on 127.0.0.1,
// with etcd's clientv3 and a raw Watch client in front of it. Writes go
// to the store and then to the hub, as the apply goroutine does.
type watchEnv struct {
	t     testing.TB
	store *mvcc.Store
	hub   *watch.Hub
	cli   *clientv3.Client
	raw   pb.WatchClient
}

// storeHeader is the test's HeaderSource.
type storeHeader struct{ s *mvcc.Store }

func (h storeHeader) Header() *pb.ResponseHeader {
	return &pb.ResponseHeader{ClusterId: 7, MemberId: 8, RaftTerm: 2, Revision: h.s.Rev()}
}

func newWatchEnv(t testing.TB, hubCfg watch.Config, cfg WatchConfig) *watchEnv {
	t.Helper()
	store := mvcc.New()
	hub := watch.New(store, hubCfg)
	srv := grpc.NewServer()
	RegisterWatch(srv, hub, storeHeader{store}, cfg)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{lis.Addr().String()}, DialTimeout: waitFor, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		_ = cli.Close()
		srv.Stop()
		<-served
		hub.Close()
	})
	return &watchEnv{t: t, store: store, hub: hub, cli: cli, raw: pb.NewWatchClient(conn)}
}

func (e *watchEnv) txn(ops ...mvcc.Op) int64 {
	e.t.Helper()
	res, err := e.store.Txn(&mvcc.TxnRequest{Success: ops})
	if err != nil {
		e.t.Fatal(err)
	}
	e.hub.Notify(res.Rev, res.Events)
	return res.Rev
}

func (e *watchEnv) put(key, value string) int64 {
	e.t.Helper()
	return e.txn(mvcc.Op{Type: mvcc.OpPut, Key: []byte(key), Value: []byte(value)})
}

func (e *watchEnv) del(key string) int64 {
	e.t.Helper()
	return e.txn(mvcc.Op{Type: mvcc.OpDelete, Key: []byte(key)})
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

func evString(ev *clientv3.Event) string {
	s := fmt.Sprintf("%s %s=%s@%d", ev.Type, ev.Kv.Key, ev.Kv.Value, ev.Kv.ModRevision)
	if ev.PrevKv != nil {
		s += " prev=" + string(ev.PrevKv.Value)
	}
	return s
}

// take reads n events from ch, failing on a closed channel or timeout.
func take(t testing.TB, ch clientv3.WatchChan, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(waitFor)
	for len(got) < n {
		select {
		case resp, ok := <-ch:
			if !ok || resp.Err() != nil {
				t.Fatalf("watch ended after %q: %v", got, resp.Err())
			}
			for _, ev := range resp.Events {
				got = append(got, evString(ev))
			}
		case <-timeout:
			t.Fatalf("timed out with %q, want %d events", got, n)
		}
	}
	return got
}

// next returns the next response on ch.
func next(t testing.TB, ch clientv3.WatchChan) clientv3.WatchResponse {
	t.Helper()
	select {
	case resp, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return resp
	case <-time.After(waitFor):
		t.Fatal("timed out waiting for a watch response")
	}
	panic("unreachable")
}

func TestWatchClientV3(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{})
	ctx := ctxFor(t)
	e.put("k/a", "1") // rev 2
	e.put("k/b", "2") // rev 3
	e.put("x", "0")   // rev 4
	hist := e.cli.Watch(ctx, "k/", clientv3.WithPrefix(), clientv3.WithRev(2), clientv3.WithPrevKV())
	deletes := e.cli.Watch(ctx, "k/", clientv3.WithPrefix(), clientv3.WithFilterPut())
	one := e.cli.Watch(ctx, "k/a")
	from := e.cli.Watch(ctx, "k/b", clientv3.WithFromKey())
	e.put("k/a", "3") // rev 5
	e.del("k/b")      // rev 6
	e.txn(            // rev 7: one response, in txn order
		mvcc.Op{Type: mvcc.OpPut, Key: []byte("k/c"), Value: []byte("4")},
		mvcc.Op{Type: mvcc.OpDelete, Key: []byte("k/a")},
	)
	tests := []struct {
		name string
		ch   clientv3.WatchChan
		want []string
	}{
		{"prefix from rev 2 with prev_kv", hist, []string{
			"PUT k/a=1@2", "PUT k/b=2@3", "PUT k/a=3@5 prev=1", "DELETE k/b=@6 prev=2", "PUT k/c=4@7", "DELETE k/a=@7 prev=3"}},
		{"deletes only", deletes, []string{"DELETE k/b=@6", "DELETE k/a=@7"}},
		{"one key from now", one, []string{"PUT k/a=3@5", "DELETE k/a=@7"}},
		{"from key", from, []string{"DELETE k/b=@6", "PUT k/c=4@7", "PUT x=5@8"}},
	}
	e.put("x", "5") // rev 8
	for _, tt := range tests {
		if got := take(t, tt.ch, len(tt.want)); !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestWatchCompacted(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{})
	ctx := ctxFor(t)
	for i := range 5 {
		e.put("k", fmt.Sprint(i)) // revs 2..6
	}
	if err := e.store.Compact(4); err != nil {
		t.Fatal(err)
	}
	ch := e.cli.Watch(ctx, "k", clientv3.WithRev(3))
	resp := next(t, ch)
	if resp.CompactRevision != 5 || resp.Err() != rpctypes.ErrCompacted || !resp.Canceled {
		t.Errorf("response %+v err %v, want compact revision 5 and ErrCompacted", resp, resp.Err())
	}
	if _, ok := <-ch; ok {
		t.Error("channel still open after the compaction response")
	}
	// The compact revision is a valid start.
	ch = e.cli.Watch(ctx, "k", clientv3.WithRev(resp.CompactRevision))
	if got := take(t, ch, 2); !slices.Equal(got, []string{"PUT k=3@5", "PUT k=4@6"}) {
		t.Errorf("from the compact revision: %q", got)
	}
}

func TestWatchProgress(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{ProgressInterval: 100 * time.Millisecond})
	ctx := ctxFor(t)
	e.put("other", "1") // rev 2
	quiet := e.cli.Watch(ctx, "k", clientv3.WithCreatedNotify())
	if resp := next(t, quiet); !resp.Created || resp.Header.Revision != 2 {
		t.Errorf("created response %+v", resp)
	}
	e.put("other", "2") // rev 3
	if err := e.cli.RequestProgress(ctx); err != nil {
		t.Fatal(err)
	}
	if resp := next(t, quiet); !resp.IsProgressNotify() || resp.Header.Revision != 3 || resp.Header.ClusterId != 7 {
		t.Errorf("requested progress: %+v", resp)
	}

	periodic := e.cli.Watch(ctx, "k", clientv3.WithProgressNotify())
	e.put("other", "3") // rev 4
	start := time.Now()
	for {
		resp := next(t, periodic)
		if resp.IsProgressNotify() && resp.Header.Revision == 4 {
			break
		}
	}
	t.Logf("periodic progress after %v", time.Since(start))
}

func TestWatchCancelByContext(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{})
	wctx, cancel := context.WithCancel(ctxFor(t))
	ch := e.cli.Watch(wctx, "k", clientv3.WithCreatedNotify())
	keep := e.cli.Watch(ctxFor(t), "j")
	next(t, ch)
	if st := e.hub.Stats(); st.Watchers != 2 {
		t.Fatalf("stats %+v, want 2 watchers", st)
	}
	cancel()
	for range ch { // closed once cancelled
	}
	deadline := time.Now().Add(waitFor)
	for e.hub.Stats().Watchers != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v: the cancelled watcher is still on the hub", e.hub.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	e.put("j", "1")
	if got := take(t, keep, 1); got[0] != "PUT j=1@2" {
		t.Errorf("the other watcher got %q", got)
	}
}

// rawStream opens a Watch stream without clientv3, to see the messages as
// sent.
func (e *watchEnv) rawStream() pb.Watch_WatchClient {
	e.t.Helper()
	ctx, cancel := context.WithCancel(ctxFor(e.t))
	e.t.Cleanup(cancel)
	st, err := e.raw.Watch(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func respString(r *pb.WatchResponse) string {
	s := fmt.Sprintf("id=%d rev=%d", r.WatchId, r.Header.Revision)
	if r.Created {
		s += " created"
	}
	if r.Canceled {
		s += " canceled"
	}
	if r.CancelReason != "" {
		s += fmt.Sprintf(" reason=%q", r.CancelReason)
	}
	if r.Fragment {
		s += " fragment"
	}
	for _, ev := range r.Events {
		s += fmt.Sprintf(" %s:%s@%d", ev.Type, ev.Kv.Key, ev.Kv.ModRevision)
	}
	return s
}

// TestWatchProtocol is a transcript of requests and the responses etcd
// gives them.
func TestWatchProtocol(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{})
	e.put("a", "1") // rev 2
	st := e.rawStream()
	create := func(r *pb.WatchCreateRequest) *pb.WatchRequest {
		return &pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{CreateRequest: r}}
	}
	steps := []struct {
		req  *pb.WatchRequest
		want []string
	}{
		{create(&pb.WatchCreateRequest{Key: []byte("a"), WatchId: 5}), []string{"id=5 rev=2 created"}},
		{create(&pb.WatchCreateRequest{Key: []byte("a"), WatchId: 5}),
			[]string{`id=-1 rev=2 created canceled reason="mvcc: duplicate watch ID provided on the WatchStream"`}},
		{create(&pb.WatchCreateRequest{Key: []byte("b"), RangeEnd: []byte("a")}),
			[]string{`id=-1 rev=2 created canceled reason="mvcc: watcher range is empty"`}},
		{create(&pb.WatchCreateRequest{Key: []byte("a"), StartRevision: -1}),
			[]string{`id=-1 rev=2 created canceled reason="etcdserver: mvcc: required revision has been compacted"`}},
		{create(&pb.WatchCreateRequest{Key: []byte("a"), StartRevision: 2}), []string{"id=1 rev=2 created", "id=1 rev=2 PUT:a@2"}},
		{&pb.WatchRequest{RequestUnion: &pb.WatchRequest_ProgressRequest{ProgressRequest: &pb.WatchProgressRequest{}}},
			[]string{"id=-1 rev=2"}},
		{&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CancelRequest{CancelRequest: &pb.WatchCancelRequest{WatchId: 5}}},
			[]string{"id=5 rev=2 canceled"}},
		{&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CancelRequest{CancelRequest: &pb.WatchCancelRequest{WatchId: 5}}}, nil},
		{create(&pb.WatchCreateRequest{Key: []byte("a"), WatchId: 5}), []string{"id=5 rev=2 created"}},
	}
	for i, step := range steps {
		if err := st.Send(step.req); err != nil {
			t.Fatal(err)
		}
		for _, want := range step.want {
			resp, err := st.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if got := respString(resp); got != want {
				t.Errorf("step %d (%v): got %s, want %s", i, step.req, got, want)
			}
		}
	}
	e.put("a", "2") // rev 3: both watchers, in either order
	var got []string
	for range 2 {
		resp, err := st.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, respString(resp))
		if h := resp.Header; h.ClusterId != 7 || h.MemberId != 8 || h.RaftTerm != 2 {
			t.Errorf("header %+v", h)
		}
	}
	slices.Sort(got)
	if want := []string{"id=1 rev=3 PUT:a@3", "id=5 rev=3 PUT:a@3"}; !slices.Equal(got, want) {
		t.Errorf("after a put: %q, want %q", got, want)
	}
}

// TestWatchLargeResponses: with a small MaxResponseBytes, a catch-up over
// many revisions is split between revisions, and one large revision is
// split into fragments only for a watcher that asked, which clientv3 joins.
func TestWatchLargeResponses(t *testing.T) {
	e := newWatchEnv(t, watch.Config{}, WatchConfig{MaxResponseBytes: 800}) // two events of ~330 bytes fit
	value := string(bytes.Repeat([]byte("v"), 300))
	for i := range 6 {
		e.put(fmt.Sprintf("k%d", i), value) // revs 2..7
	}
	var ops []mvcc.Op
	for i := range 6 {
		ops = append(ops, mvcc.Op{Type: mvcc.OpPut, Key: []byte(fmt.Sprintf("t%d", i)), Value: []byte(value)})
	}
	big := e.txn(ops...) // rev 8, about 2 KB

	st := e.rawStream()
	send := func(r *pb.WatchCreateRequest) {
		if err := st.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{CreateRequest: r}}); err != nil {
			t.Fatal(err)
		}
	}
	recvAll := func(n int) []string {
		var out []string
		for range n {
			resp, err := st.Recv()
			if err != nil {
				t.Fatalf("after %q: %v", out, err)
			}
			out = append(out, respString(resp))
		}
		return out
	}
	send(&pb.WatchCreateRequest{Key: []byte("k"), RangeEnd: []byte("l"), StartRevision: 2})
	want := []string{"id=1 rev=8 created",
		"id=1 rev=3 PUT:k0@2 PUT:k1@3", "id=1 rev=5 PUT:k2@4 PUT:k3@5", "id=1 rev=8 PUT:k4@6 PUT:k5@7"}
	if got := recvAll(4); !slices.Equal(got, want) {
		t.Errorf("catch-up split between revisions:\n got %q\nwant %q", got, want)
	}
	send(&pb.WatchCreateRequest{Key: []byte("t"), RangeEnd: []byte("u"), StartRevision: big})
	whole := "id=2 rev=8 PUT:t0@8 PUT:t1@8 PUT:t2@8 PUT:t3@8 PUT:t4@8 PUT:t5@8"
	if got := recvAll(2); !slices.Equal(got, []string{"id=2 rev=8 created", whole}) {
		t.Errorf("a large revision without fragment: %q", got)
	}
	send(&pb.WatchCreateRequest{Key: []byte("t"), RangeEnd: []byte("u"), StartRevision: big, Fragment: true})
	want = []string{"id=3 rev=8 created", "id=3 rev=8 fragment PUT:t0@8 PUT:t1@8",
		"id=3 rev=8 fragment PUT:t2@8 PUT:t3@8", "id=3 rev=8 PUT:t4@8 PUT:t5@8"}
	if got := recvAll(4); !slices.Equal(got, want) {
		t.Errorf("fragments:\n got %q\nwant %q", got, want)
	}

	// clientv3 joins the fragments into one response.
	ch := e.cli.Watch(ctxFor(t), "t", clientv3.WithPrefix(), clientv3.WithRev(big), clientv3.WithFragment())
	if resp := next(t, ch); len(resp.Events) != 6 {
		t.Errorf("clientv3 got %d events in the first response, want 6", len(resp.Events))
	}
}

// TestWatchNoLeaks: after clients and server are closed, every goroutine
// the Watch service started is gone.
func TestWatchNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("session", func(t *testing.T) {
		e := newWatchEnv(t, watch.Config{}, WatchConfig{ProgressInterval: 50 * time.Millisecond})
		ctx := ctxFor(t)
		for i := range 5 {
			e.cli.Watch(ctx, fmt.Sprint(i), clientv3.WithProgressNotify())
		}
		st := e.rawStream()
		if err := st.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{
			CreateRequest: &pb.WatchCreateRequest{Key: []byte("a")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Recv(); err != nil {
			t.Fatal(err)
		}
		e.put("0", "x")
	})
	deadline := time.Now().Add(waitFor)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
