// Package server is the composition root of a Concord member: it builds the
// state machine, raft node, peer transport and client front ends from a
// Config, wires them together and owns their lifecycle. It holds no
// business logic beyond routing a request to propose-and-wait or to a
// (linearizable or serializable) local read.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/concordkv/concord/internal/apply"
	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/etcdapi"
	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/membership"
	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/proposal"
	"github.com/concordkv/concord/internal/raftnode"
	"github.com/concordkv/concord/internal/transport"
	"github.com/concordkv/concord/internal/wal"
	"github.com/concordkv/concord/internal/watch"
	"github.com/concordkv/concord/internal/zk"
)

// Options are the parts of a member that are not configuration: seams for
// tests and embedding.
type Options struct {
	Logger *slog.Logger
	// Faults, when set, decides the fate of every outgoing peer message.
	Faults transport.Faults
	// WAL is passed to the write-ahead log (tests inject fsync failures).
	WAL wal.Options
}

// Server is one running member.
type Server struct {
	cfg         config.Config
	log         *slog.Logger
	info        clusterInfo
	machine     *apply.Machine
	hub         *watch.Hub
	leases      *lease.Table
	lessor      *lease.Lessor
	leaseIDs    *lease.IDGen
	leaseLimits lease.Limits
	leaderConn  leaderConn
	self        *clientv3.Client // this member's own client, for the recipes
	node        *raftnode.Node
	prop        *proposal.Proposer
	transport   *transport.Transport
	grpc        *grpc.Server
	peerLn      net.Listener
	clientLns   []net.Listener
	zk          *zk.Server // nil when --listen-zk-addr is empty
	zkLn        net.Listener

	stopc    chan struct{}
	ctx      context.Context // cancelled by shutdown
	cancel   context.CancelFunc
	stopOnce sync.Once
	wg       sync.WaitGroup // serving goroutines
}

// New starts a member: it recovers or bootstraps its state, binds its
// listeners and serves until Stop or a fatal error (see Done).
func New(cfg config.Config, opts Options) (_ *Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	dir := filepath.Join(cfg.DataDir, "member")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server: create data dir: %w", err)
	}
	info, err := loadOrCreateCluster(dir, &cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log.With("name", cfg.Name), info: info, stopc: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	defer func() { // undo whatever was started when New fails
		if err == nil {
			return
		}
		s.cancel()
		if s.node != nil {
			s.node.Stop()
		}
		if s.transport != nil {
			s.transport.Close()
		}
		if s.hub != nil {
			s.hub.Close()
		}
		s.closeListeners()
	}()
	if err := s.listen(); err != nil {
		return nil, err
	}

	wait := proposal.NewWait()
	store := mvcc.New()
	s.hub = watch.New(store, watch.Config{})
	s.leases = lease.NewTable()
	s.machine = apply.New(apply.Config{Store: store, Leases: s.leases, Wait: wait, Observer: s.hub, Logger: s.log})
	election := cfg.TickInterval * time.Duration(cfg.ElectionTicks)
	s.leaseLimits = lease.LimitsFor(election)
	s.leaseIDs = lease.NewIDGen(info.MemberID, time.Now())
	// No Extend on promotion: remaining TTLs restart from the moment the new
	// leader takes over, which already covers the election; extending them
	// further would only delay failover of a dead holder. Expiry is checked
	// every 100 ms so a lease ends within 0.1 s of its TTL.
	s.lessor = lease.NewLessor(s.leases, lease.Config{Revoke: s.revokeExpired, Checkpoint: s.checkpoint, TickInterval: 100 * time.Millisecond})
	peers := &peerHandler{}
	s.transport = transport.New(transport.Config{
		ID: info.MemberID, ClusterID: info.ClusterID, Raft: peers, Faults: opts.Faults, Logger: s.log,
	})
	var bootPeers []raft.Peer
	if info.Bootstrapped {
		for _, m := range info.Members {
			bootPeers = append(bootPeers, raft.Peer{ID: m.ID, Context: m.Encode()})
		}
	}
	s.node, err = raftnode.Start(raftnode.Config{
		ID: info.MemberID, Peers: bootPeers, Dir: dir,
		TickInterval: cfg.TickInterval, ElectionTicks: cfg.ElectionTicks, HeartbeatTicks: 1,
		SnapshotCount: cfg.SnapshotCount, SnapshotCatchUpEntries: cfg.SnapshotCatchUpEntries,
		WAL: opts.WAL, StateMachine: s.machine, Transport: s.transport, Logger: s.log,
		OnLeading: s.onLeading,
	})
	if err != nil {
		return nil, err
	}
	peers.node = s.node
	s.prop = &proposal.Proposer{
		Raft: s.node, Wait: wait, IDs: proposal.NewIDGen(info.MemberID, time.Now()),
		MaxBytes: cfg.MaxRequestBytes, Timeout: cfg.RequestTimeout,
	}
	for _, m := range info.Members {
		if m.ID != info.MemberID {
			addr, err := cfg.PeerDialAddr(m.Name, m.PeerURLs[0])
			if err != nil {
				return nil, err
			}
			s.transport.AddPeer(m.ID, addr)
		}
	}
	s.grpc = etcdapi.NewServer(s, etcdapi.Limits{MaxTxnOps: cfg.MaxTxnOps}, cfg.MaxRequestBytes+config.GRPCOverheadBytes)
	// Lock and Election run etcd's recipes through a client of this member.
	s.self, err = clientv3.New(clientv3.Config{Endpoints: []string{s.clientLns[0].Addr().String()}, Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("server: client of itself for lock and election: %w", err)
	}
	etcdapi.RegisterRecipes(s.grpc, s.self)
	etcdapi.RegisterLease(s.grpc, s)
	etcdapi.RegisterWatch(s.grpc, s.hub, s, etcdapi.WatchConfig{ProgressInterval: cfg.WatchProgressInterval, MaxResponseBytes: cfg.MaxRequestBytes + config.GRPCOverheadBytes})
	if err := s.listenZK(); err != nil {
		return nil, err
	}
	s.serve()
	s.log.Info("member started", "id", fmt.Sprintf("%x", info.MemberID), "cluster", fmt.Sprintf("%x", info.ClusterID),
		"client", cfg.ListenClientURLs, "peer", cfg.ListenPeerURLs)
	return s, nil
}

func (s *Server) listen() error {
	addr, err := config.HostPort(s.cfg.ListenPeerURLs[0])
	if err != nil {
		return err
	}
	if s.peerLn, err = net.Listen("tcp", addr); err != nil {
		return fmt.Errorf("server: listen for peers on %s: %w", addr, err)
	}
	for _, u := range s.cfg.ListenClientURLs {
		addr, err := config.HostPort(u)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("server: listen for clients on %s: %w", addr, err)
		}
		s.clientLns = append(s.clientLns, ln)
	}
	return nil
}

func (s *Server) closeListeners() {
	if s.peerLn != nil {
		s.peerLn.Close()
	}
	for _, ln := range s.clientLns {
		ln.Close()
	}
	if s.zkLn != nil {
		s.zkLn.Close()
	}
}

// listenZK binds the ZooKeeper front end's listener, if configured. It is
// bound once the member has recovered, so a member that cannot start
// fails for that reason first.
func (s *Server) listenZK() error {
	if s.cfg.ZK.ListenAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.ZK.ListenAddr)
	if err != nil {
		return fmt.Errorf("server: listen for ZooKeeper clients on %s: %w", s.cfg.ZK.ListenAddr, err)
	}
	s.zkLn = ln
	s.zk = zk.New(s.cfg.ZK, s.ZooKeeper(), zkMember{s}, s.log)
	return nil
}

var _ zk.Backend = (*ZooKeeper)(nil)

// zkMember tells the ZooKeeper four-letter words about the member.
type zkMember struct{ s *Server }

func (m zkMember) Status() zk.MemberStatus {
	st := m.s.node.Status()
	out := zk.MemberStatus{Members: len(m.s.Members()), ID: m.s.info.MemberID, DataDir: m.s.cfg.DataDir}
	switch {
	case st.Lead == 0:
	case out.Members == 1:
		out.Mode = "standalone"
	case st.State == raft.StateLeader:
		out.Mode = "leader"
	default:
		out.Mode = "follower"
	}
	return out
}

// serve starts the goroutines that accept peers and clients, publish this
// member's client URLs, and stop the member when raft fails.
func (s *Server) serve() {
	s.wg.Go(func() {
		if err := s.transport.Serve(s.peerLn); err != nil {
			s.log.Error("peer transport stopped", "err", err)
		}
	})
	for _, ln := range s.clientLns {
		ln := ln
		s.wg.Go(func() {
			if err := s.grpc.Serve(ln); err != nil {
				s.log.Error("client API stopped", "addr", ln.Addr(), "err", err)
			}
		})
	}
	if s.zk != nil {
		s.wg.Go(func() {
			if err := s.zk.Serve(s.zkLn); err != nil && !errors.Is(err, zk.ErrClosed) {
				s.log.Error("ZooKeeper front end stopped", "err", err)
			}
		})
	}
	s.wg.Go(s.publish)
	s.wg.Go(func() { s.lessor.Run(s.ctx) })
	s.wg.Go(s.expireTTLNodes)
	s.wg.Go(func() {
		select {
		case <-s.node.Done():
			if err := s.node.Err(); err != nil {
				s.log.Error("raft node failed; member stops serving", "err", err)
			}
			s.shutdown()
		case <-s.stopc:
		}
	})
}

// publish records this member's name and client URLs in the replicated
// membership, retrying until it succeeds or the member stops.
func (s *Server) publish() {
	mem := membership.Member{ID: s.info.MemberID, Name: s.cfg.Name, ClientURLs: s.cfg.ClientURLs()}
	payload, err := json.Marshal(mem)
	if err != nil {
		s.log.Error("encode member attributes", "err", err)
		return
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		_, err := s.prop.Propose(ctx, func(id uint64) []byte { return apply.Encode(apply.KindPublish, id, payload) })
		cancel()
		if err == nil {
			return
		}
		select {
		case <-s.stopc:
			return
		case <-s.node.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// shutdown stops serving clients and peers; it is safe to call more than
// once and from any goroutine.
func (s *Server) shutdown() {
	s.stopOnce.Do(func() {
		close(s.stopc)
		s.cancel()
		s.self.Close()
		s.leaderConn.close()
		s.grpc.Stop()
		if s.zk != nil {
			s.zk.Close()
		}
		s.transport.Close()
		s.closeListeners()
	})
}

// onLeading turns the Lessor on while this member leads (raftnode calls it
// once the new leader has applied everything committed before its term).
func (s *Server) onLeading(leading bool, term uint64) {
	if leading {
		s.lessor.Promote(term)
		return
	}
	s.lessor.Demote()
}

// Stop stops the member and waits for all its goroutines.
func (s *Server) Stop() {
	s.shutdown()
	s.node.Stop()
	s.hub.Close()
	s.wg.Wait()
}

// Done is closed when the raft node has stopped (after Stop, or on a fatal
// error such as a failed fsync).
func (s *Server) Done() <-chan struct{} { return s.node.Done() }

// Err is why the member stopped; nil after a clean Stop.
func (s *Server) Err() error { return s.node.Err() }

// ID returns this member's ID.
func (s *Server) ID() uint64 { return s.info.MemberID }

// Raft returns the raft node's status.
func (s *Server) Raft() raftnode.Status { return s.node.Status() }

// Run starts a member and serves until ctx is done or the member fails.
func Run(ctx context.Context, cfg config.Config, opts Options) error {
	s, err := New(cfg, opts)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-s.Done():
	}
	s.Stop()
	return s.Err()
}

// peerHandler forwards messages from the transport to the raft node, which
// is created after the transport.
type peerHandler struct{ node *raftnode.Node }

func (p *peerHandler) Process(ctx context.Context, m raftpb.Message) error {
	return p.node.Process(ctx, m)
}
func (p *peerHandler) ReportUnreachable(id uint64) { p.node.ReportUnreachable(id) }
func (p *peerHandler) ReportSnapshot(id uint64, st raft.SnapshotStatus) {
	p.node.ReportSnapshot(id, st)
}
