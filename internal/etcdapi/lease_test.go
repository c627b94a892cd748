package etcdapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/concordkv/concord/internal/lease"
)

// memCluster is a tiny in-memory stand-in for the replicated side: every
// "applied" command changes each member's lease table at once, under one
// mutex (the apply goroutine), and a map stands in for the key space.
type memCluster struct {
	t       *testing.T
	clock   *lease.FakeClock
	members []*memBackend

	mu   sync.Mutex       // protects following fields; held while applying
	term uint64           // the log's current term
	rev  int64            // store revision
	kv   map[string]int64 // live keys -> their lease
}

// memBackend is one member: a LeaseBackend over its table and lessor.
type memBackend struct {
	c      *memCluster
	id     uint64
	table  *lease.Table
	lessor *lease.Lessor
	ids    *lease.IDGen
	leader *grpc.ClientConn // LeaderConn's answer; nil: no leader
}

var _ LeaseBackend = (*memBackend)(nil)

func newMemCluster(t *testing.T, n int) *memCluster {
	c := &memCluster{t: t, clock: lease.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), rev: 1, kv: map[string]int64{}}
	for i := range n {
		b := &memBackend{c: c, id: uint64(i + 1), table: lease.NewTable()}
		b.ids = lease.NewIDGen(b.id, c.clock.Now())
		b.lessor = lease.NewLessor(b.table, lease.Config{
			Clock:      c.clock,
			Revoke:     c.expired,
			Checkpoint: c.checkpoint,
		})
		c.members = append(c.members, b)
	}
	return c
}

// lead makes member i the leader of a new term.
func (c *memCluster) lead(i int) {
	for _, m := range c.members {
		m.lessor.Demote()
	}
	c.mu.Lock()
	c.term++
	term := c.term
	c.mu.Unlock()
	c.members[i].lessor.Promote(term)
}

func (c *memCluster) grant(id, ttl int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		if err := m.table.Grant(id, ttl); err != nil {
			return err
		}
	}
	return nil
}

func (c *memCluster) revoke(id int64, term uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if lease.Stale(term, c.term) {
		return lease.ErrStale
	}
	var events []mvccpb.Event
	for i, m := range c.members {
		keys, err := m.table.Revoke(id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if i == 0 {
				delete(c.kv, string(k))
			}
			events = append(events, mvccpb.Event{Type: mvccpb.DELETE, Kv: &mvccpb.KeyValue{Key: k}})
		}
	}
	if len(events) > 0 {
		c.rev++
	}
	for _, m := range c.members {
		m.table.ApplyEvents(events)
	}
	return nil
}

func (c *memCluster) expired(term uint64, ids []int64) {
	for _, id := range ids {
		c.revoke(id, term)
	}
}

func (c *memCluster) checkpoint(_ context.Context, term uint64, cps []lease.Checkpoint) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if lease.Stale(term, c.term) {
		return lease.ErrStale
	}
	for _, m := range c.members {
		m.table.Checkpoint(cps)
	}
	return nil
}

// put writes key attached to lease id, as the apply step does.
func (c *memCluster) put(key string, id int64) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.members[0].table.Exists(id) {
		c.t.Fatalf("put %q: lease %x not found", key, id)
	}
	c.rev++
	c.kv[key] = id
	for _, m := range c.members {
		m.table.ApplyEvents([]mvccpb.Event{{Type: mvccpb.PUT, Kv: &mvccpb.KeyValue{Key: []byte(key), Lease: id}}})
	}
}

func (c *memCluster) liveKeys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var keys []string
	for k := range c.kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (b *memBackend) LeaseLimits() lease.Limits { return lease.LimitsFor(time.Second) }
func (b *memBackend) NewLeaseID() int64         { return b.ids.Next() }

func (b *memBackend) GrantLease(_ context.Context, id, ttl int64) (*pb.ResponseHeader, error) {
	if err := b.c.grant(id, ttl); err != nil {
		return nil, err
	}
	return b.Header(), nil
}

func (b *memBackend) RevokeLease(_ context.Context, id int64) (*pb.ResponseHeader, error) {
	if err := b.c.revoke(id, 0); err != nil {
		return nil, err
	}
	return b.Header(), nil
}

func (b *memBackend) RenewLease(ctx context.Context, id int64) (int64, error) {
	return b.lessor.Renew(ctx, id)
}

func (b *memBackend) LeaseTimeToLive(_ context.Context, id int64) (int64, int64, error) {
	return b.lessor.Remaining(id)
}

func (b *memBackend) Leases() *lease.Table { return b.table }

func (b *memBackend) LeaderConn(context.Context) (*grpc.ClientConn, error) {
	if b.leader == nil {
		return nil, errors.New("no leader")
	}
	return b.leader, nil
}

func (b *memBackend) Header() *pb.ResponseHeader {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return &pb.ResponseHeader{ClusterId: 7, MemberId: b.id, Revision: b.c.rev, RaftTerm: b.c.term}
}

// serveLease serves b's Lease service on 127.0.0.1 and returns its address.
func serveLease(t *testing.T, b LeaseBackend) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	RegisterLease(s, b)
	done := make(chan struct{})
	go func() { s.Serve(lis); close(done) }()
	t.Cleanup(func() { s.Stop(); <-done })
	return lis.Addr().String()
}

func newClient(t *testing.T, addr string) *clientv3.Client {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{addr}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLeaseService(t *testing.T) {
	c := newMemCluster(t, 1)
	c.lead(0)
	cli := newClient(t, serveLease(t, c.members[0]))
	ctx := testCtx(t)

	// Grant: the member picks a positive ID; a short TTL is raised to 2 s
	g, err := cli.Grant(ctx, 5)
	if err != nil || g.ID <= 0 || g.TTL != 5 {
		t.Fatalf("Grant(5) = %+v, %v", g, err)
	}
	if short, err := cli.Grant(ctx, 1); err != nil || short.TTL != 2 {
		t.Fatalf("Grant(1) = %+v, %v; want TTL raised to 2", short, err)
	}
	if _, err := cli.Grant(ctx, lease.MaxTTLSeconds+1); !errors.Is(err, rpctypes.ErrLeaseTTLTooLarge) {
		t.Fatalf("Grant(too large) = %v", err)
	}
	raw := pb.NewLeaseClient(cli.ActiveConnection())
	if r, err := raw.LeaseGrant(ctx, &pb.LeaseGrantRequest{ID: 42, TTL: 7}); err != nil || r.ID != 42 || r.TTL != 7 || r.Header.MemberId != 1 {
		t.Fatalf("LeaseGrant(ID 42) = %+v, %v", r, err)
	}
	if _, err := cli.Grant(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LeaseGrant(ctx, &pb.LeaseGrantRequest{ID: 42, TTL: 7}); !errors.Is(err, rpctypes.ErrGRPCLeaseExist) {
		t.Fatalf("LeaseGrant(ID 42 again) = %v", err)
	}

	// KeepAliveOnce and the KeepAlive channel
	if ka, err := cli.KeepAliveOnce(ctx, g.ID); err != nil || ka.TTL != 5 || ka.ID != g.ID {
		t.Fatalf("KeepAliveOnce = %+v, %v", ka, err)
	}
	kaCtx, stop := context.WithCancel(ctx)
	ch, err := cli.KeepAlive(kaCtx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ka := <-ch; ka == nil || ka.TTL != 5 {
		t.Fatalf("KeepAlive channel gave %+v", ka)
	}
	stop()

	// TimeToLive with attached keys, in the leader's virtual time
	c.put("b", int64(g.ID))
	c.put("a", int64(g.ID))
	c.put("other", 42)
	c.clock.Advance(2 * time.Second)
	ttl, err := cli.TimeToLive(ctx, g.ID, clientv3.WithAttachedKeys())
	if err != nil || ttl.TTL != 3 || ttl.GrantedTTL != 5 || fmt.Sprintf("%q", ttl.Keys) != `["a" "b"]` {
		t.Fatalf("TimeToLive = %+v, %v", ttl, err)
	}
	if ttl, err := cli.TimeToLive(ctx, g.ID); err != nil || ttl.Keys != nil {
		t.Fatalf("TimeToLive without keys = %+v, %v", ttl, err)
	}

	// Leases lists all, in ID order
	ls, err := cli.Leases(ctx)
	if err != nil || len(ls.Leases) != 4 || ls.Leases[0].ID != 42 {
		t.Fatalf("Leases = %+v, %v", ls, err)
	}

	// Revoke deletes the keys; the lease is gone everywhere
	if _, err := cli.Revoke(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if keys := c.liveKeys(); fmt.Sprint(keys) != "[other]" {
		t.Fatalf("live keys after revoke: %q", keys)
	}
	if _, err := cli.Revoke(ctx, g.ID); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		t.Fatalf("second Revoke = %v", err)
	}
	if ttl, err := cli.TimeToLive(ctx, g.ID); err != nil || ttl.TTL != -1 {
		t.Fatalf("TimeToLive of a revoked lease = %+v, %v; want TTL -1", ttl, err)
	}
	if _, err := cli.KeepAliveOnce(ctx, g.ID); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		t.Fatalf("KeepAliveOnce of a revoked lease = %v", err)
	}
}

// TestLeaseExpiry: a lease nobody renews is revoked by the lessor; its
// keys go, and keepalives then answer TTL 0.
func TestLeaseExpiry(t *testing.T) {
	c := newMemCluster(t, 1)
	c.lead(0)
	cli := newClient(t, serveLease(t, c.members[0]))
	ctx := testCtx(t)
	g, err := cli.Grant(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	c.put("session", int64(g.ID))
	for range 10 { // kept alive for 10 TTLs
		c.clock.Advance(1500 * time.Millisecond)
		c.members[0].lessor.Tick(ctx)
		if _, err := cli.KeepAliveOnce(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	c.clock.Advance(2 * time.Second)
	c.members[0].lessor.Tick(ctx)
	if keys := c.liveKeys(); len(keys) != 0 {
		t.Fatalf("keys after expiry: %q", keys)
	}
	if _, err := cli.KeepAliveOnce(ctx, g.ID); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		t.Fatalf("KeepAliveOnce after expiry = %v", err)
	}
}

// TestKeepAliveManyLeasesPerStream sends keepalives for several leases on
// one stream and gets the answers in order, TTL 0 for the unknown one.
func TestKeepAliveManyLeasesPerStream(t *testing.T) {
	c := newMemCluster(t, 1)
	c.lead(0)
	conn := dial(t, serveLease(t, c.members[0]))
	ctx := testCtx(t)
	for id, ttl := range map[int64]int64{1: 3000, 2: 10_000, 3: 60_000} {
		if err := c.grant(id, ttl); err != nil {
			t.Fatal(err)
		}
	}
	stream, err := pb.NewLeaseClient(conn).LeaseKeepAlive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{3, 1, 99, 2, 3}
	for _, id := range ids {
		if err := stream.Send(&pb.LeaseKeepAliveRequest{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	want := []int64{60, 3, 0, 10, 60}
	for i, id := range ids {
		resp, err := stream.Recv()
		if err != nil || resp.ID != id || resp.TTL != want[i] || resp.Header == nil || resp.Header.ClusterId != 7 {
			t.Fatalf("response %d = %+v, %v; want ID %d TTL %d", i, resp, err, id, want[i])
		}
	}
	stream.CloseSend()
	if _, err := stream.Recv(); err == nil {
		t.Fatal("stream still open after CloseSend")
	}
}

// TestLeaseForwarding: keepalives and TimeToLive sent to a follower reach
// the leader's lessor; a forwarded request that finds no primary is not
// forwarded again but answered "not leader".
func TestLeaseForwarding(t *testing.T) {
	c := newMemCluster(t, 2)
	c.lead(0)
	leader, follower := c.members[0], c.members[1]
	leaderAddr := serveLease(t, leader)
	follower.leader = dial(t, leaderAddr)
	leader.leader = dial(t, leaderAddr) // the leader's own view
	cli := newClient(t, serveLease(t, follower))
	ctx := testCtx(t)

	g, err := cli.Grant(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	c.put("k", int64(g.ID))
	c.clock.Advance(4 * time.Second)
	ttl, err := cli.TimeToLive(ctx, g.ID, clientv3.WithAttachedKeys())
	if err != nil || ttl.TTL != 6 || ttl.GrantedTTL != 10 || len(ttl.Keys) != 1 {
		t.Fatalf("TimeToLive via follower = %+v, %v", ttl, err)
	}
	if ka, err := cli.KeepAliveOnce(ctx, g.ID); err != nil || ka.TTL != 10 {
		t.Fatalf("KeepAliveOnce via follower = %+v, %v", ka, err)
	}
	if _, rem, _ := leader.lessor.Remaining(int64(g.ID)); rem != 10_000 {
		t.Fatalf("the leader's lease has %d ms left after a forwarded renewal", rem)
	}
	if _, err := cli.KeepAliveOnce(ctx, 12345); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		t.Fatalf("forwarded keepalive of an unknown lease = %v", err)
	}
	if ttl, err := cli.TimeToLive(ctx, 12345); err != nil || ttl.TTL != -1 {
		t.Fatalf("forwarded TimeToLive of an unknown lease = %+v, %v", ttl, err)
	}

	leader.lessor.Demote() // nobody is primary: no forwarding loop
	if _, err := cli.KeepAliveOnce(ctx, g.ID); !errors.Is(err, rpctypes.ErrNotLeader) {
		t.Fatalf("KeepAliveOnce with no primary = %v", err)
	}
	if _, err := cli.TimeToLive(ctx, g.ID); !errors.Is(err, rpctypes.ErrNotLeader) {
		t.Fatalf("TimeToLive with no primary = %v", err)
	}
	follower.leader = nil
	if _, err := cli.TimeToLive(ctx, g.ID); err == nil {
		t.Fatal("TimeToLive with no leader connection succeeded")
	}
}

func TestLeaseErrorTable(t *testing.T) {
	tests := []struct {
		err, want error
	}{
		{fmt.Errorf("grant: %w", lease.ErrExists), rpctypes.ErrGRPCLeaseExist},
		{lease.ErrNotFound, rpctypes.ErrGRPCLeaseNotFound},
		{lease.ErrTTLTooLarge, rpctypes.ErrGRPCLeaseTTLTooLarge},
		{lease.ErrNotPrimary, rpctypes.ErrGRPCNotLeader},
		{lease.ErrStale, rpctypes.ErrGRPCLeaderChanged},
		{context.DeadlineExceeded, rpctypes.ErrGRPCDeadlineExceeded}, // falls through to toGRPC
	}
	for _, tt := range tests {
		if got := leaseToGRPC(tt.err); got != tt.want {
			t.Errorf("leaseToGRPC(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
