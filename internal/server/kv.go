package server

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/membership"
)

// marshaler is a gogo-protobuf request.
type marshaler interface{ Marshal() ([]byte, error) }

// headered is an etcd response whose header the apply step started.
type headered interface{ GetHeader() *pb.ResponseHeader }

// propose replicates one etcd request as a command of kind, waits for this
// member to apply it, and returns the apply step's response with its
// header completed.
func propose[T headered](s *Server, ctx context.Context, kind apply.Kind, r marshaler) (T, error) {
	var zero T
	payload, err := r.Marshal()
	if err != nil {
		return zero, err
	}
	v, err := s.prop.Propose(ctx, func(id uint64) []byte { return apply.Encode(kind, id, payload) })
	if err != nil {
		return zero, err
	}
	resp := v.(T)
	s.fill(resp.GetHeader())
	return resp, nil
}

// Range serves a read locally, after a ReadIndex round unless the client
// asked for a serializable read (or the binary is the deliberately broken
// test build, see brokenLocalReads).
func (s *Server) Range(ctx context.Context, r *pb.RangeRequest) (*pb.RangeResponse, error) {
	if !r.Serializable && !brokenLocalReads {
		if err := s.prop.Linearize(ctx); err != nil {
			return nil, err
		}
	}
	resp, err := s.machine.Range(r)
	if err != nil {
		return nil, err
	}
	s.fill(resp.Header)
	return resp, nil
}

// Put implements etcdapi.Backend.
func (s *Server) Put(ctx context.Context, r *pb.PutRequest) (*pb.PutResponse, error) {
	return propose[*pb.PutResponse](s, ctx, apply.KindPut, r)
}

// DeleteRange implements etcdapi.Backend.
func (s *Server) DeleteRange(ctx context.Context, r *pb.DeleteRangeRequest) (*pb.DeleteRangeResponse, error) {
	return propose[*pb.DeleteRangeResponse](s, ctx, apply.KindDeleteRange, r)
}

// Txn implements etcdapi.Backend.
func (s *Server) Txn(ctx context.Context, r *pb.TxnRequest) (*pb.TxnResponse, error) {
	return propose[*pb.TxnResponse](s, ctx, apply.KindTxn, r)
}

// Compact implements etcdapi.Backend.
func (s *Server) Compact(ctx context.Context, r *pb.CompactionRequest) (*pb.CompactionResponse, error) {
	return propose[*pb.CompactionResponse](s, ctx, apply.KindCompact, r)
}

// HashKV implements etcdapi.Backend.
func (s *Server) HashKV(_ context.Context, rev int64) (*pb.HashKVResponse, error) {
	h, compacted, err := s.machine.Store().HashKV(rev)
	if err != nil {
		return nil, err
	}
	return &pb.HashKVResponse{Header: s.Header(), Hash: h, CompactRevision: compacted}, nil
}

// Status implements etcdapi.Backend.
func (s *Server) Status(context.Context) (*pb.StatusResponse, error) {
	st := s.node.Status()
	size := s.machine.Store().View().Bytes()
	return &pb.StatusResponse{
		Header: s.Header(), Version: etcdVersion, Leader: st.Lead,
		RaftIndex: st.Commit, RaftTerm: st.Term, RaftAppliedIndex: st.Applied,
		DbSize: size, DbSizeInUse: size, StorageVersion: etcdVersion,
	}, nil
}

// etcdVersion is the etcd API version Concord implements, reported where
// etcd reports its server version so that version-checking clients accept
// Concord.
const etcdVersion = "3.6.0"

// Members implements etcdapi.Backend.
func (s *Server) Members() []membership.Member { return s.machine.Members().List() }

// Header implements etcdapi.Backend.
func (s *Server) Header() *pb.ResponseHeader {
	h := &pb.ResponseHeader{Revision: s.machine.Store().Rev()}
	s.fill(h)
	return h
}

// fill completes a header whose revision the apply step set.
func (s *Server) fill(h *pb.ResponseHeader) {
	h.ClusterId = s.info.ClusterID
	h.MemberId = s.info.MemberID
	h.RaftTerm = s.node.Status().Term
}
