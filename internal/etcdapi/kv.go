package etcdapi

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

type kvServer struct {
	pb.UnimplementedKVServer
	b      Backend
	limits Limits
}

func (s *kvServer) Range(ctx context.Context, r *pb.RangeRequest) (*pb.RangeResponse, error) {
	if err := checkRange(r); err != nil {
		return nil, err
	}
	resp, err := s.b.Range(ctx, r)
	return resp, toGRPC(err)
}

func (s *kvServer) Put(ctx context.Context, r *pb.PutRequest) (*pb.PutResponse, error) {
	if err := checkPut(r); err != nil {
		return nil, err
	}
	resp, err := s.b.Put(ctx, r)
	return resp, toGRPC(err)
}

func (s *kvServer) DeleteRange(ctx context.Context, r *pb.DeleteRangeRequest) (*pb.DeleteRangeResponse, error) {
	if err := checkDelete(r); err != nil {
		return nil, err
	}
	resp, err := s.b.DeleteRange(ctx, r)
	return resp, toGRPC(err)
}

func (s *kvServer) Txn(ctx context.Context, r *pb.TxnRequest) (*pb.TxnResponse, error) {
	if err := checkTxn(r, s.limits.MaxTxnOps); err != nil {
		return nil, err
	}
	resp, err := s.b.Txn(ctx, r)
	return resp, toGRPC(err)
}

func (s *kvServer) Compact(ctx context.Context, r *pb.CompactionRequest) (*pb.CompactionResponse, error) {
	resp, err := s.b.Compact(ctx, r)
	return resp, toGRPC(err)
}
