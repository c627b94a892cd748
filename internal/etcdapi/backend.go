package etcdapi

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/concordkv/concord/internal/membership"
)

// Backend is the member the services run on (server.Server). Responses it
// returns carry a complete header.
type Backend interface {
	Range(ctx context.Context, r *pb.RangeRequest) (*pb.RangeResponse, error)
	Put(ctx context.Context, r *pb.PutRequest) (*pb.PutResponse, error)
	DeleteRange(ctx context.Context, r *pb.DeleteRangeRequest) (*pb.DeleteRangeResponse, error)
	Txn(ctx context.Context, r *pb.TxnRequest) (*pb.TxnResponse, error)
	Compact(ctx context.Context, r *pb.CompactionRequest) (*pb.CompactionResponse, error)
	HashKV(ctx context.Context, rev int64) (*pb.HashKVResponse, error)
	Status(ctx context.Context) (*pb.StatusResponse, error)
	// Members returns the current membership.
	Members() []membership.Member
	// Header returns a header for responses that read no state.
	Header() *pb.ResponseHeader
}

// Limits are the request limits the services enforce.
type Limits struct {
	MaxTxnOps int
}
