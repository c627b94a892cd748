package etcdapi

import (
	"context"
	"errors"
	"io"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc"

	"github.com/concordkv/concord/internal/lease"
)

// LeaseBackend is the member the Lease service runs on (server.Server).
// Its methods may be called from many goroutines at once. TTLs are in
// milliseconds; the service converts to and from etcd's seconds.
type LeaseBackend interface {
	// LeaseLimits returns the member's TTL bounds (lease.LimitsFor the
	// election timeout).
	LeaseLimits() lease.Limits
	// NewLeaseID returns an ID for a grant whose request names none: a
	// lease.IDGen's next.
	NewLeaseID() int64
	// GrantLease replicates lease.GrantRequest{ID: id, TTL: ttl} (ttl is
	// already clamped to the limits) and waits until this member applied
	// it. It returns the response header; lease.ErrExists if the ID is in
	// use, or a proposal error.
	GrantLease(ctx context.Context, id, ttl int64) (*pb.ResponseHeader, error)
	// RevokeLease replicates lease.RevokeRequest{ID: id} (Term 0), whose
	// apply step deletes the lease's keys in one revision, waits until this
	// member applied it and returns a header carrying that revision;
	// lease.ErrNotFound if there is no such lease.
	RevokeLease(ctx context.Context, id int64) (*pb.ResponseHeader, error)
	// RenewLease renews lease id on this member's Lessor (Lessor.Renew) and
	// returns its TTL. lease.ErrNotPrimary when the Lessor is inactive: the
	// service then forwards the renewal to the leader.
	RenewLease(ctx context.Context, id int64) (int64, error)
	// LeaseTimeToLive returns the granted TTL and remaining time of lease id
	// from this member's Lessor (Lessor.Remaining); lease.ErrNotPrimary as
	// for RenewLease.
	LeaseTimeToLive(ctx context.Context, id int64) (ttl, remaining int64, err error)
	// Leases returns this member's lease table, read for LeaseLeases and
	// for the keys TimeToLive reports.
	Leases() *lease.Table
	// LeaderConn returns a client connection to the etcd API of the current
	// leader, used to forward keepalives and TimeToLive. The backend owns
	// (caches and closes) it. It fails with a proposal error such as
	// ErrNoLeader when there is no leader.
	LeaderConn(ctx context.Context) (*grpc.ClientConn, error)
	// Header returns a header for responses that read no state.
	Header() *pb.ResponseHeader
}

// RegisterLease registers etcd's Lease service over b on s.
func RegisterLease(s *grpc.Server, b LeaseBackend) {
	pb.RegisterLeaseServer(s, &leaseServer{b: b})
}

// leaseErrorTable maps the lease package's errors to etcd's; anything else
// goes through the package's error table (toGRPC).
var leaseErrorTable = []struct {
	err  error
	grpc error
}{
	{lease.ErrNotFound, rpctypes.ErrGRPCLeaseNotFound},
	{lease.ErrExists, rpctypes.ErrGRPCLeaseExist},
	{lease.ErrTTLTooLarge, rpctypes.ErrGRPCLeaseTTLTooLarge},
	{lease.ErrNotPrimary, rpctypes.ErrGRPCNotLeader},
	{lease.ErrStale, rpctypes.ErrGRPCLeaderChanged},
}

func leaseToGRPC(err error) error {
	for _, e := range leaseErrorTable {
		if errors.Is(err, e.err) {
			return e.grpc
		}
	}
	return toGRPC(err)
}

// grantRetries bounds the retries of a grant whose generated ID collided
// with an existing lease.
const grantRetries = 3

type leaseServer struct {
	pb.UnimplementedLeaseServer
	b LeaseBackend
}

// LeaseGrant grants a lease of r.TTL seconds, raised to the minimum TTL,
// with r.ID or, when that is 0, an ID of the member's choosing.
func (s *leaseServer) LeaseGrant(ctx context.Context, r *pb.LeaseGrantRequest) (*pb.LeaseGrantResponse, error) {
	ms, err := lease.Seconds(r.TTL)
	if err == nil {
		ms, err = s.b.LeaseLimits().TTL(ms)
	}
	if err != nil {
		return nil, leaseToGRPC(err)
	}
	h, id, err := GrantLease(ctx, s.b, r.ID, ms)
	if err != nil {
		return nil, leaseToGRPC(err)
	}
	return &pb.LeaseGrantResponse{Header: h, ID: id, TTL: lease.ToSeconds(ms)}, nil
}

// GrantLease grants lease id (0: one of the member's choosing, retried on
// a collision) with a TTL of ms milliseconds, already clamped to the
// limits, and returns the header and the ID granted. The ZooKeeper front
// end opens sessions through it.
func GrantLease(ctx context.Context, b LeaseBackend, id, ms int64) (*pb.ResponseHeader, int64, error) {
	for try := 0; ; try++ {
		gid := id
		if id == 0 {
			gid = b.NewLeaseID()
		}
		h, err := b.GrantLease(ctx, gid, ms)
		if errors.Is(err, lease.ErrExists) && id == 0 && try < grantRetries {
			continue
		}
		return h, gid, err
	}
}

func (s *leaseServer) LeaseRevoke(ctx context.Context, r *pb.LeaseRevokeRequest) (*pb.LeaseRevokeResponse, error) {
	h, err := s.b.RevokeLease(ctx, r.ID)
	if err != nil {
		return nil, leaseToGRPC(err)
	}
	return &pb.LeaseRevokeResponse{Header: h}, nil
}

// LeaseKeepAlive renews the leases named on the stream, in order, any
// number per stream. An unknown or expired lease is answered with TTL 0.
func (s *leaseServer) LeaseKeepAlive(stream pb.Lease_LeaseKeepAliveServer) error {
	ctx := stream.Context()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		// The header is taken before renewing, so its revision is no later
		// than the renewal: a client never sees a keepalive succeed at a
		// revision after the lease's revoke.
		resp := &pb.LeaseKeepAliveResponse{Header: s.b.Header(), ID: req.ID}
		ttl, err := RenewLease(ctx, s.b, req.ID)
		switch {
		case errors.Is(err, lease.ErrNotFound):
			resp.TTL = 0
		case err != nil:
			return leaseToGRPC(err)
		default:
			resp.TTL = lease.ToSeconds(ttl)
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// RenewLease renews lease id on the leader's Lessor and returns its TTL in
// milliseconds: on this member's if it is primary, else forwarded to the
// leader (unless ctx is itself a forwarded call). lease.ErrNotFound when
// the lease is gone. The ZooKeeper front end keeps sessions alive through
// it.
func RenewLease(ctx context.Context, b LeaseBackend, id int64) (int64, error) {
	ttl, err := b.RenewLease(ctx, id)
	if !errors.Is(err, lease.ErrNotPrimary) || leaseForwarded(ctx) {
		return ttl, err
	}
	conn, err := b.LeaderConn(ctx)
	if err != nil {
		return 0, err
	}
	return forwardRenew(ctx, conn, id)
}

// LeaseTimeToLive reports a lease's granted TTL and remaining time as the
// leader sees them, and its keys if asked; TTL -1 for an unknown lease.
func (s *leaseServer) LeaseTimeToLive(ctx context.Context, r *pb.LeaseTimeToLiveRequest) (*pb.LeaseTimeToLiveResponse, error) {
	ttl, remaining, err := s.timeToLive(ctx, r.ID)
	if errors.Is(err, lease.ErrNotFound) {
		return &pb.LeaseTimeToLiveResponse{Header: s.b.Header(), ID: r.ID, TTL: -1}, nil
	}
	if err != nil {
		return nil, leaseToGRPC(err)
	}
	resp := &pb.LeaseTimeToLiveResponse{
		Header:     s.b.Header(),
		ID:         r.ID,
		TTL:        lease.ToSeconds(remaining),
		GrantedTTL: lease.ToSeconds(ttl),
	}
	if r.Keys {
		resp.Keys = s.b.Leases().Keys(r.ID)
	}
	return resp, nil
}

func (s *leaseServer) timeToLive(ctx context.Context, id int64) (ttl, remaining int64, err error) {
	ttl, remaining, err = s.b.LeaseTimeToLive(ctx, id)
	if !errors.Is(err, lease.ErrNotPrimary) || leaseForwarded(ctx) {
		return ttl, remaining, err
	}
	conn, err := s.b.LeaderConn(ctx)
	if err != nil {
		return 0, 0, err
	}
	return forwardTimeToLive(ctx, conn, id)
}

// LeaseLeases lists the leases in this member's table, in ascending ID
// order.
func (s *leaseServer) LeaseLeases(context.Context, *pb.LeaseLeasesRequest) (*pb.LeaseLeasesResponse, error) {
	ls := s.b.Leases().List()
	resp := &pb.LeaseLeasesResponse{Header: s.b.Header(), Leases: make([]*pb.LeaseStatus, len(ls))}
	for i, l := range ls {
		resp.Leases[i] = &pb.LeaseStatus{ID: l.ID}
	}
	return resp, nil
}
