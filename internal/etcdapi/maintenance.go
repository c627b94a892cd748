package etcdapi

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
)

type maintenanceServer struct {
	pb.UnimplementedMaintenanceServer
	b Backend
}

func (s *maintenanceServer) Status(ctx context.Context, _ *pb.StatusRequest) (*pb.StatusResponse, error) {
	resp, err := s.b.Status(ctx)
	return resp, toGRPC(err)
}

func (s *maintenanceServer) HashKV(ctx context.Context, r *pb.HashKVRequest) (*pb.HashKVResponse, error) {
	resp, err := s.b.HashKV(ctx, r.Revision)
	return resp, toGRPC(err)
}

type clusterServer struct {
	pb.UnimplementedClusterServer
	b Backend
}

func (s *clusterServer) MemberList(context.Context, *pb.MemberListRequest) (*pb.MemberListResponse, error) {
	members := s.b.Members()
	resp := &pb.MemberListResponse{Header: s.b.Header(), Members: make([]*pb.Member, 0, len(members))}
	for _, m := range members {
		resp.Members = append(resp.Members, &pb.Member{ID: m.ID, Name: m.Name, PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs})
	}
	return resp, nil
}
