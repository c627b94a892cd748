package server

import (
	"context"
	"fmt"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/proposal"
)

// The server implements etcdapi.LeaseBackend: grants and revokes are
// propose-and-wait; keepalives and TimeToLive are answered by the leader's
// Lessor (followers forward them through LeaderConn).

// LeaseLimits implements etcdapi.LeaseBackend.
func (s *Server) LeaseLimits() lease.Limits { return s.leaseLimits }

// NewLeaseID implements etcdapi.LeaseBackend.
func (s *Server) NewLeaseID() int64 { return s.leaseIDs.Next() }

// Leases implements etcdapi.LeaseBackend.
func (s *Server) Leases() *lease.Table { return s.leases }

type byteMarshaler interface{ Marshal() []byte }

func (s *Server) proposeLease(ctx context.Context, kind apply.Kind, r byteMarshaler) (any, error) {
	payload := r.Marshal()
	return s.prop.Propose(ctx, func(id uint64) []byte { return apply.Encode(kind, id, payload) })
}

// GrantLease implements etcdapi.LeaseBackend.
func (s *Server) GrantLease(ctx context.Context, id, ttl int64) (*pb.ResponseHeader, error) {
	return s.proposeLeaseHeader(ctx, apply.KindLeaseGrant, &lease.GrantRequest{ID: id, TTL: ttl})
}

// RevokeLease implements etcdapi.LeaseBackend.
func (s *Server) RevokeLease(ctx context.Context, id int64) (*pb.ResponseHeader, error) {
	return s.proposeLeaseHeader(ctx, apply.KindLeaseRevoke, &lease.RevokeRequest{ID: id})
}

// proposeLeaseHeader replicates a lease command whose apply step answers a
// header, and completes that header.
func (s *Server) proposeLeaseHeader(ctx context.Context, kind apply.Kind, r byteMarshaler) (*pb.ResponseHeader, error) {
	v, err := s.proposeLease(ctx, kind, r)
	if err != nil {
		return nil, err
	}
	h := v.(*pb.ResponseHeader)
	s.fill(h)
	return h, nil
}

// RenewLease implements etcdapi.LeaseBackend. A keepalive may race the apply
// of its own grant on a new leader: when the lease is unknown it waits for a
// linearizable point once and asks again.
func (s *Server) RenewLease(ctx context.Context, id int64) (int64, error) {
	ttl, err := s.lessor.Renew(ctx, id)
	if err == lease.ErrNotFound {
		if lerr := s.prop.Linearize(ctx); lerr != nil {
			return 0, err
		}
		ttl, err = s.lessor.Renew(ctx, id)
	}
	return ttl, err
}

// LeaseTimeToLive implements etcdapi.LeaseBackend.
func (s *Server) LeaseTimeToLive(_ context.Context, id int64) (ttl, remaining int64, err error) {
	return s.lessor.Remaining(id)
}

// revokeExpired proposes the revoke of leases the Lessor saw expire, without
// waiting: the Lessor reports them again if a revoke does not apply.
func (s *Server) revokeExpired(term uint64, ids []int64) {
	for _, id := range ids {
		payload := (&lease.RevokeRequest{ID: id, Term: term}).Marshal()
		s.wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
			defer cancel()
			if _, err := s.prop.Propose(ctx, func(rid uint64) []byte { return apply.Encode(apply.KindLeaseRevoke, rid, payload) }); err != nil {
				s.log.Debug("revoke of expired lease", "lease", fmt.Sprintf("%x", id), "err", err)
			}
		})
	}
}

// checkpoint replicates remaining TTLs and waits for them to apply.
func (s *Server) checkpoint(ctx context.Context, term uint64, cps []lease.Checkpoint) error {
	_, err := s.proposeLease(ctx, apply.KindLeaseCheckpoint, &lease.CheckpointRequest{Term: term, Checkpoints: cps})
	return err
}

// leaderConn caches a client connection to the leader's etcd API.
type leaderConn struct {
	mu   sync.Mutex // protects the fields below
	lead uint64
	conn *grpc.ClientConn
}

// LeaderConn implements etcdapi.LeaseBackend.
func (s *Server) LeaderConn(context.Context) (*grpc.ClientConn, error) {
	lead := s.node.Status().Lead
	if lead == 0 {
		return nil, proposal.ErrNoLeader
	}
	lc := &s.leaderConn
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.conn != nil && lc.lead == lead {
		return lc.conn, nil
	}
	var target string
	for _, m := range s.machine.Members().List() {
		if m.ID == lead && len(m.ClientURLs) > 0 {
			target = m.ClientURLs[0]
		}
	}
	if target == "" {
		return nil, proposal.ErrNoLeader // the leader has not published its client URLs yet
	}
	addr, err := config.HostPort(target)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("server: connect to leader %x at %s: %w", lead, addr, err)
	}
	if lc.conn != nil {
		lc.conn.Close()
	}
	lc.lead, lc.conn = lead, conn
	return conn, nil
}

func (lc *leaderConn) close() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.conn != nil {
		lc.conn.Close()
		lc.conn = nil
	}
}
