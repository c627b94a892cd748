package etcdapi

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/concordkv/concord/internal/lease"
)

// Keepalives and TimeToLive need the leader's Lessor. A member whose Lessor
// is inactive forwards them to the leader over the leader's own etcd Lease
// service, marking the call with forwardedKey; a member that receives a
// marked call and is not primary either (leadership moved again, or the
// leader has not yet applied its term's first entry) answers "not leader"
// instead of forwarding once more, and the client retries.
//
// Each forwarded keepalive opens a short LeaseKeepAlive stream on the
// cached connection (one HTTP/2 stream, one round trip). TTLs come back in
// whole seconds, which is all the etcd API has.
const forwardedKey = "concord-lease-forwarded"

// leaseForwarded reports whether the call was forwarded by another member.
func leaseForwarded(ctx context.Context) bool {
	md, ok := metadata.FromIncomingContext(ctx)
	return ok && len(md.Get(forwardedKey)) > 0
}

func forwardContext(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, forwardedKey, "1")
}

// forwardRenew renews lease id at the leader and returns its TTL in
// milliseconds; lease.ErrNotFound when the leader answers TTL 0.
func forwardRenew(ctx context.Context, conn *grpc.ClientConn, id int64) (int64, error) {
	ctx, cancel := context.WithCancel(forwardContext(ctx))
	defer cancel() // ends the stream
	stream, err := pb.NewLeaseClient(conn).LeaseKeepAlive(ctx)
	if err != nil {
		return 0, err
	}
	if err := stream.Send(&pb.LeaseKeepAliveRequest{ID: id}); err != nil {
		return 0, err
	}
	resp, err := stream.Recv()
	if err != nil {
		return 0, err
	}
	if resp.TTL <= 0 {
		return 0, lease.ErrNotFound
	}
	return resp.TTL * 1000, nil
}

// forwardTimeToLive asks the leader for lease id's granted TTL and
// remaining time, in milliseconds; lease.ErrNotFound for TTL -1.
func forwardTimeToLive(ctx context.Context, conn *grpc.ClientConn, id int64) (ttl, remaining int64, err error) {
	resp, err := pb.NewLeaseClient(conn).LeaseTimeToLive(forwardContext(ctx), &pb.LeaseTimeToLiveRequest{ID: id})
	if err != nil {
		return 0, 0, err
	}
	if resp.TTL < 0 {
		return 0, 0, lease.ErrNotFound
	}
	return resp.GrantedTTL * 1000, resp.TTL * 1000, nil
}
