package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/etcdapi"
	"github.com/concordkv/concord/internal/watch"
	"github.com/concordkv/concord/internal/znode"
)

// ZooKeeper is the member as the ZooKeeper front end (internal/zk) sees
// it: its Backend. Writes are propose-and-wait, reads are local (after a
// ReadIndex round for sync), sessions are leases. Its methods may be called
// from any goroutine.
type ZooKeeper struct {
	s      *Server
	secret []byte // keys session passwords
}

// ZooKeeper returns the member's ZooKeeper backend.
func (s *Server) ZooKeeper() *ZooKeeper {
	return &ZooKeeper{s: s, secret: sessionSecret(s.info.ClusterID, s.cfg.InitialClusterToken)}
}

// Write stamps r with this member's clock (r.Now), replicates it as one
// command and waits until this member applied it, returning one result per
// op and the revision after it. The error is a proposal error (timeout, no
// leader, stopped, too large); ZooKeeper's own errors are in the results.
func (z *ZooKeeper) Write(ctx context.Context, r znode.Request) ([]znode.Result, int64, error) {
	r.Now = time.Now().UnixMilli()
	v, err := z.s.proposeLease(ctx, apply.KindZnode, &r)
	if err != nil {
		return nil, 0, err
	}
	resp := v.(*apply.ZnodeResponse)
	return resp.Results, resp.Rev, nil
}

// Reader returns this member's state, read locally.
func (z *ZooKeeper) Reader() znode.Reader { return z.s.machine.Znodes() }

// Sync returns once this member has applied everything the leader had
// committed when Sync was called (a ReadIndex round).
func (z *ZooKeeper) Sync(ctx context.Context) error { return z.s.prop.Linearize(ctx) }

// OpenSession grants a lease of timeoutMs milliseconds, raised to the
// member's minimum lease TTL (lease.Limits), and returns its ID, which is
// the session ID, and the session's password.
func (z *ZooKeeper) OpenSession(ctx context.Context, timeoutMs int64) (int64, []byte, error) {
	ms, err := z.s.leaseLimits.TTL(timeoutMs)
	if err != nil {
		return 0, nil, err
	}
	_, id, err := etcdapi.GrantLease(ctx, z.s, 0, ms)
	if err != nil {
		return 0, nil, err
	}
	return id, z.SessionPassword(id), nil
}

// SessionPassword returns the password of session id: the first 16 bytes
// of HMAC-SHA256(secret, id), where the secret is derived from the cluster
// ID and token. Every member computes the same one, so a client may resume
// its session on any member without another replicated write. As in
// ZooKeeper, the password only keeps a client from resuming another's
// session by accident; anyone who knows the cluster token can compute it,
// so it is not an authentication mechanism.
func (z *ZooKeeper) SessionPassword(id int64) []byte {
	mac := hmac.New(sha256.New, z.secret)
	mac.Write(binary.BigEndian.AppendUint64(nil, uint64(id)))
	return mac.Sum(nil)[:sessionPasswordLen]
}

// sessionPasswordLen is the length of ZooKeeper's session passwords.
const sessionPasswordLen = 16

func sessionSecret(clusterID uint64, token string) []byte {
	h := sha256.New()
	h.Write([]byte("concord zookeeper session password\x00"))
	h.Write(binary.BigEndian.AppendUint64(nil, clusterID))
	h.Write([]byte(token))
	return h.Sum(nil)
}

// KeepAlive renews session id's lease on the leader's Lessor, forwarding
// the renewal when this member does not lead (the etcd Lease service's
// path). lease.ErrNotFound means the session has expired; any other error
// (no leader yet, the leader not reachable or not yet serving) says nothing
// about the session, and the caller should try again.
func (z *ZooKeeper) KeepAlive(ctx context.Context, id int64) error {
	_, err := etcdapi.RenewLease(ctx, z.s, id)
	return err
}

// CloseSession revokes session id's lease, deleting its ephemeral nodes in
// one revision; lease.ErrNotFound if it has already expired.
func (z *ZooKeeper) CloseSession(ctx context.Context, id int64) error {
	_, err := z.s.RevokeLease(ctx, id)
	return err
}

// SessionAlive reports whether session id's lease is in this member's lease
// table.
func (z *ZooKeeper) SessionAlive(id int64) bool { return z.s.leases.Exists(id) }

// Hub returns the watch hub, fed with every applied event.
func (z *ZooKeeper) Hub() *watch.Hub { return z.s.hub }

// The leader looks for expired TTL nodes every ttlCheckInterval and deletes
// at most maxTTLExpiries of them per look (ZooKeeper's container manager
// looks every 60 s).
const (
	ttlCheckInterval = time.Second
	maxTTLExpiries   = 1000
)

// fitRequest returns the longest prefix of ops whose paths add up to at
// most budget bytes (at least one op), so that a look at many TTL nodes
// with long paths stays within the request size limit instead of failing
// on every look; the rest wait for the next look.
func fitRequest(ops []znode.Op, budget int) []znode.Op {
	size := 0
	for i, op := range ops {
		size += len(op.Path) + 32 // the op's other fields, generously
		if size > budget && i > 0 {
			return ops[:i]
		}
	}
	return ops
}

// expireTTLNodes runs on every member until it stops. While this member's
// Lessor is active (it leads and has applied its term's first entry), each
// look proposes, in one request, an OpExpire for every TTL node that
// expired on this member's clock, and waits for it to apply. The request
// carries the Lessor's term, so a leader deposed meanwhile cannot delete
// anything, and each op the node's mzxid, so a node changed meanwhile
// survives.
func (s *Server) expireTTLNodes() {
	tick := time.NewTicker(ttlCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.stopc:
			return
		case <-tick.C:
		}
		term := s.lessor.Term()
		if term == 0 {
			continue
		}
		now := time.Now().UnixMilli()
		ops := fitRequest(s.machine.Znodes().ExpiredTTL(now, maxTTLExpiries), s.cfg.MaxRequestBytes/2)
		if len(ops) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.RequestTimeout)
		_, err := s.proposeLease(ctx, apply.KindZnode, &znode.Request{Term: term, Now: now, Ops: ops})
		cancel()
		if err != nil {
			s.log.Debug("expiry of TTL nodes", "nodes", len(ops), "err", err)
		}
	}
}
