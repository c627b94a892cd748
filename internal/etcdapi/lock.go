package etcdapi

import (
	"context"
	"errors"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3election/v3electionpb"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3lock/v3lockpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The Lock and Election services are recipes over KV, Lease and Watch. They
// run etcd's client-side recipes (concurrency.Mutex and Election) through a
// client connected to this member, so their semantics are exactly those
// clients already rely on. The lock key's create revision is a fencing
// token: a resource accepts a write only in a txn comparing that key's
// create revision (see docs/locks.md).

var (
	errEmptyName      = status.Error(codes.InvalidArgument, "concord: lock or election name is empty")
	errMissingLeader  = status.Error(codes.InvalidArgument, `concord: "leader" field must be provided`)
	errElectionLeader = status.Error(codes.FailedPrecondition, concurrency.ErrElectionNotLeader.Error())
	errNoLeader       = status.Error(codes.NotFound, concurrency.ErrElectionNoLeader.Error())
	errSessionExpired = status.Error(codes.NotFound, "concord: lease of the lock or campaign expired while waiting")
)

// recipeError maps a recipe's error to what the caller sees.
func recipeError(err error) error {
	switch {
	case errors.Is(err, concurrency.ErrElectionNotLeader):
		return errElectionLeader
	case errors.Is(err, concurrency.ErrElectionNoLeader):
		return errNoLeader
	case errors.Is(err, concurrency.ErrSessionExpired):
		return errSessionExpired
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return toGRPC(err)
}

// session wraps a caller's lease in a session the server does not keep alive
// or revoke: the lease belongs to the caller.
func session(ctx context.Context, c *clientv3.Client, lease int64) (*concurrency.Session, error) {
	s, err := concurrency.NewSession(c, concurrency.WithLease(clientv3.LeaseID(lease)), concurrency.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	s.Orphan()
	return s, nil
}

type lockServer struct {
	v3lockpb.UnimplementedLockServer
	c *clientv3.Client
}

// Lock waits until the caller holds the lock named req.Name under its lease,
// and returns the key that represents the hold. If the lease expires while
// waiting, the lock is not granted.
func (l *lockServer) Lock(ctx context.Context, req *v3lockpb.LockRequest) (*v3lockpb.LockResponse, error) {
	if len(req.Name) == 0 {
		return nil, errEmptyName
	}
	s, err := session(ctx, l.c, req.Lease)
	if err != nil {
		return nil, recipeError(err)
	}
	m := concurrency.NewMutex(s, string(req.Name))
	if err := m.Lock(ctx); err != nil {
		return nil, recipeError(err)
	}
	return &v3lockpb.LockResponse{Header: m.Header(), Key: []byte(m.Key())}, nil
}

// Unlock releases the hold represented by req.Key.
func (l *lockServer) Unlock(ctx context.Context, req *v3lockpb.UnlockRequest) (*v3lockpb.UnlockResponse, error) {
	resp, err := l.c.Delete(ctx, string(req.Key))
	if err != nil {
		return nil, recipeError(err)
	}
	return &v3lockpb.UnlockResponse{Header: resp.Header}, nil
}

type electionServer struct {
	v3electionpb.UnimplementedElectionServer
	c *clientv3.Client
}

func (e *electionServer) Campaign(ctx context.Context, req *v3electionpb.CampaignRequest) (*v3electionpb.CampaignResponse, error) {
	if len(req.Name) == 0 {
		return nil, errEmptyName
	}
	s, err := session(ctx, e.c, req.Lease)
	if err != nil {
		return nil, recipeError(err)
	}
	el := concurrency.NewElection(s, string(req.Name))
	if err := el.Campaign(ctx, string(req.Value)); err != nil {
		return nil, recipeError(err)
	}
	return &v3electionpb.CampaignResponse{
		Header: el.Header(),
		Leader: &v3electionpb.LeaderKey{Name: req.Name, Key: []byte(el.Key()), Rev: el.Rev(), Lease: req.Lease},
	}, nil
}

// resume rebuilds the election a leader key was returned for.
func (e *electionServer) resume(ctx context.Context, lk *v3electionpb.LeaderKey) (*concurrency.Election, error) {
	if lk == nil {
		return nil, errMissingLeader
	}
	s, err := session(ctx, e.c, lk.Lease)
	if err != nil {
		return nil, recipeError(err)
	}
	return concurrency.ResumeElection(s, string(lk.Name), string(lk.Key), lk.Rev), nil
}

func (e *electionServer) Proclaim(ctx context.Context, req *v3electionpb.ProclaimRequest) (*v3electionpb.ProclaimResponse, error) {
	el, err := e.resume(ctx, req.Leader)
	if err != nil {
		return nil, err
	}
	if err := el.Proclaim(ctx, string(req.Value)); err != nil {
		return nil, recipeError(err)
	}
	return &v3electionpb.ProclaimResponse{Header: el.Header()}, nil
}

func (e *electionServer) Resign(ctx context.Context, req *v3electionpb.ResignRequest) (*v3electionpb.ResignResponse, error) {
	el, err := e.resume(ctx, req.Leader)
	if err != nil {
		return nil, err
	}
	if err := el.Resign(ctx); err != nil {
		return nil, recipeError(err)
	}
	return &v3electionpb.ResignResponse{Header: el.Header()}, nil
}

func (e *electionServer) Leader(ctx context.Context, req *v3electionpb.LeaderRequest) (*v3electionpb.LeaderResponse, error) {
	if len(req.Name) == 0 {
		return nil, errEmptyName
	}
	resp, err := leaderOf(ctx, e.c, string(req.Name))
	if err != nil {
		return nil, err
	}
	return &v3electionpb.LeaderResponse{Header: resp.Header, Kv: resp.Kvs[0]}, nil
}

// leaderOf reads the current leader of election name: the key under the
// election's prefix with the lowest create revision.
func leaderOf(ctx context.Context, c *clientv3.Client, name string) (*clientv3.GetResponse, error) {
	resp, err := c.Get(ctx, name+"/", clientv3.WithFirstCreate()...)
	if err != nil {
		return nil, recipeError(err)
	}
	if len(resp.Kvs) == 0 {
		return nil, errNoLeader
	}
	return resp, nil
}

// Observe streams the election's leader each time it changes (a new leader
// key, or a new value proclaimed), starting with the current one. With no
// leader it waits for one.
func (e *electionServer) Observe(req *v3electionpb.LeaderRequest, stream v3electionpb.Election_ObserveServer) error {
	if len(req.Name) == 0 {
		return errEmptyName
	}
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	name := string(req.Name)
	var last *mvccpb.KeyValue
	rev := int64(0) // revision to read the leader at; 0 is the current one
	for {
		resp, err := e.c.Get(ctx, name+"/", append(clientv3.WithFirstCreate(), clientv3.WithRev(rev))...)
		if err != nil {
			return recipeError(err)
		}
		at := rev
		if at == 0 {
			at = resp.Header.Revision
		}
		if len(resp.Kvs) > 0 {
			kv := resp.Kvs[0]
			if last == nil || string(kv.Key) != string(last.Key) || kv.ModRevision != last.ModRevision {
				if err := stream.Send(&v3electionpb.LeaderResponse{Header: resp.Header, Kv: kv}); err != nil {
					return err
				}
				last = kv
			}
		}
		if rev, err = nextChange(ctx, e.c, name+"/", at+1); err != nil {
			return err
		}
	}
}

// nextChange waits for the first change under prefix at or after rev and
// returns its revision.
func nextChange(ctx context.Context, c *clientv3.Client, prefix string, rev int64) (int64, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for wr := range c.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(rev)) {
		if err := wr.Err(); err != nil {
			return 0, recipeError(err)
		}
		if len(wr.Events) > 0 {
			return wr.Events[len(wr.Events)-1].Kv.ModRevision, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return 0, status.Error(codes.Unavailable, "concord: observe: watch closed")
}

// RegisterRecipes registers the Lock and Election services, which use c, a
// client connected to this member.
func RegisterRecipes(s *grpc.Server, c *clientv3.Client) {
	v3lockpb.RegisterLockServer(s, &lockServer{c: c})
	v3electionpb.RegisterElectionServer(s, &electionServer{c: c})
}
