package zk

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/concordkv/concord/internal/config"
)

// ErrClosed is Serve's error after Close.
var ErrClosed = errors.New("zk: server closed")

// Server serves the ZooKeeper protocol on one listener for one member.
// Create it with New, run Serve, stop it with Close.
type Server struct {
	cfg     config.ZooKeeper
	b       Backend
	member  Member
	log     *slog.Logger
	words   map[string]bool // four-letter words allowed; nil allows all
	stats   counters        // every connection's, together
	started time.Time

	mu       sync.Mutex // protects the fields below
	ln       net.Listener
	closed   bool
	conns    map[*conn]struct{}
	perIP    map[netip.Addr]int
	sessions map[int64]*conn // the connection serving each session on this member
	wg       sync.WaitGroup  // connections; Add under mu unless closed
}

// New returns a server for the member behind b, configured by cfg (whose
// ListenAddr it ignores: Serve takes the listener).
func New(cfg config.ZooKeeper, b Backend, member Member, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, b: b, member: member, log: log.With("api", "zookeeper"), started: time.Now(),
		conns: map[*conn]struct{}{}, perIP: map[netip.Addr]int{}, sessions: map[int64]*conn{}}
	if !(len(cfg.FourLetterWords) == 1 && cfg.FourLetterWords[0] == "*") {
		s.words = map[string]bool{}
		for _, w := range cfg.FourLetterWords {
			s.words[w] = true
		}
	}
	return s
}

// Serve accepts connections on ln until Close, serving each on goroutines
// of its own; it returns ErrClosed after Close, or the listener's error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrClosed
	}
	s.ln = ln
	s.mu.Unlock()
	s.log.Info("serving the ZooKeeper protocol", "addr", ln.Addr())
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond) // out of file descriptors: wait, as net/http does
				continue
			}
			return fmt.Errorf("zk: accept: %w", err)
		}
		s.admit(nc)
	}
}

// admit starts serving nc unless its address has MaxClientCnxns
// connections already (ZooKeeper's maxClientCnxns) or the server is closed.
func (s *Server) admit(nc net.Conn) {
	ap, _ := netip.ParseAddrPort(nc.RemoteAddr().String())
	ip := ap.Addr().Unmap()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		nc.Close()
		return
	}
	if max := s.cfg.MaxClientCnxns; max > 0 && s.perIP[ip] >= max {
		s.log.Warn("too many connections from one address; closing the new one", "remote", ap, "max", max)
		nc.Close()
		return
	}
	s.perIP[ip]++
	c := newConn(s, nc, ap)
	s.conns[c] = struct{}{}
	s.wg.Go(func() {
		c.serve()
		s.forget(c, ip)
	})
}

func (s *Server) forget(c *conn, ip netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	if s.sessions[c.session] == c {
		delete(s.sessions, c.session)
	}
}

// bind records c as the connection of its session on this member and
// closes the one it replaces: a client that reconnects has left its old
// connection (ZooKeeper closes it too).
func (s *Server) bind(c *conn) {
	s.mu.Lock()
	old := s.sessions[c.session]
	s.sessions[c.session] = c
	s.mu.Unlock()
	if old != nil && old != c {
		s.log.Info("session moved to a new connection; closing the old one", "session", sessionHex(c.session), "old", old.remote)
		old.stop()
	}
}

// connections returns the connections being served.
func (s *Server) connections() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops accepting, closes every connection (their sessions live on
// until they expire or their clients reconnect elsewhere) and waits for
// their goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.stop()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// sessionHex formats a session ID as ZooKeeper logs it.
func sessionHex(id int64) string { return fmt.Sprintf("0x%x", uint64(id)) }
