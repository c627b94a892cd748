package etcdapi

import (
	"math"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// NewServer returns a gRPC server with the etcd services registered.
// maxRecvBytes bounds one received message (etcd: max request bytes plus
// 512 KiB of gRPC overhead).
func NewServer(b Backend, limits Limits, maxRecvBytes int) *grpc.Server {
	s := grpc.NewServer(
		grpc.MaxRecvMsgSize(maxRecvBytes),
		grpc.MaxSendMsgSize(math.MaxInt32),
		grpc.MaxConcurrentStreams(math.MaxUint32),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 2 * time.Hour, Timeout: 20 * time.Second}),
	)
	pb.RegisterKVServer(s, &kvServer{b: b, limits: limits})
	pb.RegisterMaintenanceServer(s, &maintenanceServer{b: b})
	pb.RegisterClusterServer(s, &clusterServer{b: b})
	return s
}
