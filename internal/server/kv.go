package server

import (
	"context"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/membership"
)

// marshaler is a gogo-protobuf request.
type marshaler interface{ Marshal() ([]byte, error) }

// propose replicates one etcd request as a command of kind and returns the
// apply step's response.
func (s *Server) propose(ctx context.Context, kind apply.Kind, r marshaler) (any, error) {
	payload, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	return s.prop.Propose(ctx, func(id uint64) []byte { return apply.Encode(kind, id, payload) })
}

// Range serves a read locally, after a ReadIndex round unless the client
// asked for a serializable read.
func (s *Server) Range(ctx context.Context, r *pb.RangeRequest) (*pb.RangeResponse, error) {
	if !r.Serializable {
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
	v, err := s.propose(ctx, apply.KindPut, r)
	if err != nil {
		return nil, err
	}
	resp := v.(*pb.PutResponse)
	s.fill(resp.Header)
	return resp, nil
}

// DeleteRange implements etcdapi.Backend.
func (s *Server) DeleteRange(ctx context.Context, r *pb.DeleteRangeRequest) (*pb.DeleteRangeResponse, error) {
	v, err := s.propose(ctx, apply.KindDeleteRange, r)
	if err != nil {
		return nil, err
	}
	resp := v.(*pb.DeleteRangeResponse)
	s.fill(resp.Header)
	return resp, nil
}

// Txn implements etcdapi.Backend.
func (s *Server) Txn(ctx context.Context, r *pb.TxnRequest) (*pb.TxnResponse, error) {
	v, err := s.propose(ctx, apply.KindTxn, r)
	if err != nil {
		return nil, err
	}
	resp := v.(*pb.TxnResponse)
	s.fill(resp.Header)
	return resp, nil
}

// Compact implements etcdapi.Backend.
func (s *Server) Compact(ctx context.Context, r *pb.CompactionRequest) (*pb.CompactionResponse, error) {
	v, err := s.propose(ctx, apply.KindCompact, r)
	if err != nil {
		return nil, err
	}
	resp := v.(*pb.CompactionResponse)
	s.fill(resp.Header)
	return resp, nil
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
