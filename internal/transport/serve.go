package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

// Serve accepts peer streams on ln until Close, starting one reader
// goroutine per stream that delivers its messages to Raft.Process. Serve
// owns ln and closes it before returning. It returns nil once Close has
// been called (also if it was called before Serve), and otherwise the
// error that stopped Accept. Serve may be called for several listeners.
func (t *Transport) Serve(ln net.Listener) error {
	defer ln.Close()
	if !t.track(ln) {
		return nil
	}
	defer t.untrack(ln)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if t.ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("transport: accept on %s: %w", ln.Addr(), err)
		}
		if !t.spawnStream(conn) {
			_ = conn.Close()
			return nil
		}
	}
}

// track registers ln for Close to close, unless t is already closed.
func (t *Transport) track(ln net.Listener) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.listeners[ln] = struct{}{}
	return true
}

func (t *Transport) untrack(ln net.Listener) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.listeners, ln)
}

// spawnStream starts the reader goroutine for conn unless t is closed.
func (t *Transport) spawnStream(conn net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.goLocked(func() { t.serveStream(conn) })
}

// serveStream is the reader goroutine of one inbound stream: it answers
// the handshake, then delivers messages until the stream ends, breaks the
// protocol, or the Transport closes. It closes conn.
func (t *Transport) serveStream(conn net.Conn) {
	defer conn.Close()
	unwatch := context.AfterFunc(t.ctx, func() { _ = conn.Close() })
	defer unwatch()
	log := t.log.With("remote", conn.RemoteAddr().String())
	from, err := t.answer(conn)
	if err != nil {
		if t.ctx.Err() == nil {
			log.Error("rejected inbound stream", "err", err)
		}
		return
	}
	log = log.With("peer", from)
	log.Debug("inbound stream open")
	err = t.receive(conn, from)
	switch {
	case t.ctx.Err() != nil:
	case errors.Is(err, io.EOF):
		log.Debug("inbound stream closed by peer")
	case errors.Is(err, ErrFrameTooLarge), errors.Is(err, ErrMisaddressed):
		log.Error("closed inbound stream", "err", err)
	default:
		log.Warn("inbound stream failed", "err", err)
	}
}

// answer reads the dialing side's hello within DialTimeout, replies to it,
// and returns the ID of the member that sent it.
func (t *Transport) answer(conn net.Conn) (uint64, error) {
	if err := conn.SetDeadline(time.Now().Add(t.cfg.DialTimeout)); err != nil {
		return 0, fmt.Errorf("transport: set handshake deadline: %w", err)
	}
	var b [helloLen]byte
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		return 0, fmt.Errorf("transport: read hello: %w", err)
	}
	h, err := parseHello(b[:])
	if err == nil {
		err = h.check(t.cfg.ID, t.cfg.ClusterID)
	}
	if _, werr := conn.Write([]byte{replyFor(err)}); werr != nil && err == nil {
		err = fmt.Errorf("transport: reply to hello: %w", werr)
	}
	if err != nil {
		return 0, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return 0, fmt.Errorf("transport: clear handshake deadline: %w", err)
	}
	return h.from, nil
}

// receive delivers the stream's messages to Raft in order until an error.
func (t *Transport) receive(conn net.Conn, from uint64) error {
	fr := newFrameReader(conn, t.cfg.MaxFrameSize)
	for {
		var m raftpb.Message
		if err := fr.next(&m); err != nil {
			return err
		}
		if m.From != from || m.To != t.cfg.ID {
			return fmt.Errorf("receive %v from %d to %d on stream from %d: %w", m.Type, m.From, m.To, from, ErrMisaddressed)
		}
		if err := t.cfg.Raft.Process(t.ctx, m); err != nil {
			if t.ctx.Err() != nil {
				return err
			}
			t.log.Debug("raft rejected message", "from", from, "type", m.Type, "err", err)
		}
	}
}
