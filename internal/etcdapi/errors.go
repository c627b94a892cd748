package etcdapi

import (
	"context"
	"errors"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/proposal"
)

// errorTable maps every error the backend returns to etcd's gRPC error
// with the same code and message, which clientv3 turns back into its typed
// errors.
var errorTable = []struct {
	err  error
	grpc error
}{
	{mvcc.ErrCompacted, rpctypes.ErrGRPCCompacted},
	{mvcc.ErrFutureRev, rpctypes.ErrGRPCFutureRev},
	{mvcc.ErrKeyNotFound, rpctypes.ErrGRPCKeyNotFound},
	{apply.ErrLeaseNotFound, rpctypes.ErrGRPCLeaseNotFound},
	{proposal.ErrTimeout, rpctypes.ErrGRPCTimeout},
	{proposal.ErrNoLeader, rpctypes.ErrGRPCNoLeader},
	{proposal.ErrStopped, rpctypes.ErrGRPCStopped},
	{proposal.ErrTooLarge, rpctypes.ErrGRPCRequestTooLarge},
	{context.Canceled, rpctypes.ErrGRPCCanceled},
	{context.DeadlineExceeded, rpctypes.ErrGRPCDeadlineExceeded},
}

// toGRPC returns the gRPC error a client should see for err.
func toGRPC(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	for _, e := range errorTable {
		if errors.Is(err, e.err) {
			return e.grpc
		}
	}
	return status.Error(codes.Unknown, err.Error())
}
