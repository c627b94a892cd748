package etcdapi

import (
	"context"
	"errors"
	"fmt"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/proposal"
)

func put(key string) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(key)}}}
}

func del(key, end string) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: &pb.DeleteRangeRequest{Key: []byte(key), RangeEnd: []byte(end)}}}
}

func nested(success, failure []*pb.RequestOp) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestTxn{RequestTxn: &pb.TxnRequest{Success: success, Failure: failure}}}
}

func TestCheckTxn(t *testing.T) {
	many := make([]*pb.RequestOp, 129)
	for i := range many {
		many[i] = put(fmt.Sprintf("k%d", i))
	}
	tests := []struct {
		name string
		txn  *pb.TxnRequest
		want error
	}{
		{"distinct puts", &pb.TxnRequest{Success: []*pb.RequestOp{put("a"), put("b")}}, nil},
		{"same key in both branches", &pb.TxnRequest{Success: []*pb.RequestOp{put("a")}, Failure: []*pb.RequestOp{put("a")}}, nil},
		{"put twice", &pb.TxnRequest{Success: []*pb.RequestOp{put("a"), put("a")}}, rpctypes.ErrGRPCDuplicateKey},
		{"put inside deleted range", &pb.TxnRequest{Success: []*pb.RequestOp{del("a", "c"), put("b")}}, rpctypes.ErrGRPCDuplicateKey},
		{"put after delete of all from key", &pb.TxnRequest{Success: []*pb.RequestOp{del("a", "\x00"), put("z")}}, rpctypes.ErrGRPCDuplicateKey},
		{"put outside deleted range", &pb.TxnRequest{Success: []*pb.RequestOp{del("a", "c"), put("c")}}, nil},
		{"overlapping deletes", &pb.TxnRequest{Success: []*pb.RequestOp{del("a", "c"), del("b", "d")}}, nil},
		{"nested put clashes with outer", &pb.TxnRequest{Success: []*pb.RequestOp{put("a"), nested([]*pb.RequestOp{put("a")}, nil)}}, rpctypes.ErrGRPCDuplicateKey},
		{"nested branches may share a key", &pb.TxnRequest{Success: []*pb.RequestOp{nested([]*pb.RequestOp{put("a")}, []*pb.RequestOp{put("a")})}}, nil},
		{"129 ops", &pb.TxnRequest{Success: many}, rpctypes.ErrGRPCTooManyOps},
		{"empty compare key", &pb.TxnRequest{Compare: []*pb.Compare{{}}}, rpctypes.ErrGRPCEmptyKey},
		{"empty put key", &pb.TxnRequest{Success: []*pb.RequestOp{put("")}}, rpctypes.ErrGRPCEmptyKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkTxn(tt.txn, 128); !errors.Is(got, tt.want) {
				t.Fatalf("checkTxn = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckPut(t *testing.T) {
	tests := []struct {
		req  *pb.PutRequest
		want error
	}{
		{&pb.PutRequest{Key: []byte("k"), Value: []byte("v")}, nil},
		{&pb.PutRequest{}, rpctypes.ErrGRPCEmptyKey},
		{&pb.PutRequest{Key: []byte("k"), Value: []byte("v"), IgnoreValue: true}, rpctypes.ErrGRPCValueProvided},
		{&pb.PutRequest{Key: []byte("k"), Lease: 5, IgnoreLease: true}, rpctypes.ErrGRPCLeaseProvided},
	}
	for _, tt := range tests {
		if got := checkPut(tt.req); !errors.Is(got, tt.want) {
			t.Errorf("checkPut(%v) = %v, want %v", tt.req, got, tt.want)
		}
	}
	if err := checkRange(&pb.RangeRequest{Key: []byte("k"), SortOrder: 7}); !errors.Is(err, rpctypes.ErrGRPCInvalidSortOption) {
		t.Errorf("bad sort order: %v", err)
	}
}

func TestToGRPC(t *testing.T) {
	tests := []struct {
		err  error
		code codes.Code
		msg  string
	}{
		{fmt.Errorf("range: %w", mvcc.ErrCompacted), codes.OutOfRange, "etcdserver: mvcc: required revision has been compacted"},
		{mvcc.ErrFutureRev, codes.OutOfRange, "etcdserver: mvcc: required revision is a future revision"},
		{proposal.ErrTimeout, codes.Unavailable, "etcdserver: request timed out"},
		{proposal.ErrNoLeader, codes.Unavailable, "etcdserver: no leader"},
		{proposal.ErrTooLarge, codes.InvalidArgument, "etcdserver: request is too large"},
		{context.Canceled, codes.Canceled, "etcdserver: request canceled"},
		{errors.New("surprise"), codes.Unknown, "surprise"},
	}
	for _, tt := range tests {
		st, _ := status.FromError(toGRPC(tt.err))
		if st.Code() != tt.code || st.Message() != tt.msg {
			t.Errorf("toGRPC(%v) = %v %q, want %v %q", tt.err, st.Code(), st.Message(), tt.code, tt.msg)
		}
	}
}
