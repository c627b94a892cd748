package zk

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordkv/concord/internal/watch"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// conn is one client connection. Once the handshake has established its
// session, five goroutines serve it (see the package documentation):
//
//	reader     reads frames, answers pings, rate-limits, queues requests
//	processor  runs requests in order and queues their replies
//	pump       turns the hub's events into watch notifications
//	writer     writes the outbound queue to the socket
//	keeper     renews the session and notices its expiry
//
// serve runs the reader (receive) itself, and returns when all five have
// ended.
type conn struct {
	s      *Server
	nc     net.Conn
	fr     *jute.FrameReader
	remote netip.AddrPort
	est    time.Time
	log    *slog.Logger
	stats  counters

	ctx      context.Context // cancelled by stop
	cancel   context.CancelFunc
	stopOnce sync.Once

	// Set by the handshake, read-only afterwards; other goroutines than
	// the connection's own read them once established is set.
	session     int64
	timeout     time.Duration
	resumed     bool // a reconnect, not a new session
	established atomic.Bool

	reqs   *fifo[*request] // reader -> processor
	out    *fifo[[]byte]   // everyone -> writer, in order
	renew  chan struct{}   // capacity 1: reader -> keeper
	queued atomic.Int64    // requests read and not yet answered
	// lastZxid is the highest zxid sent in a reply: every watch event up
	// to it has been queued before it (the processor's drain), so it is
	// safe to send again, in ping replies.
	lastZxid atomic.Int64

	auth    []znode.ID         // identities for ACL checks; the processor's
	stream  *watch.Stream      // the hub's feeds for this connection's watches
	w       watchState         // guarded by mu
	scratch []znode.WatchEvent // the pump's
	mu      sync.Mutex         // protects w and the order of puts that depend on it; before the fifos' locks
	wg      sync.WaitGroup     // processor, pump, writer, keeper
}

// request is one request frame, decoded.
type request struct {
	hdr  jute.RequestHeader
	req  jute.Request // nil when err is set
	err  error        // a decoding failure, answered with its code
	read time.Time
}

// maxQueuedBytes bounds a connection's queued requests and its queued
// replies, in multiples of the jute max buffer.
const maxQueuedBytes = 4

func newConn(s *Server, nc net.Conn, remote netip.AddrPort) *conn {
	c := &conn{
		s: s, nc: nc, remote: remote, est: time.Now(),
		log:   s.log.With("remote", remote.String()),
		fr:    jute.NewFrameReader(bufio.NewReader(nc), s.cfg.MaxBuffer),
		reqs:  newFIFO[*request](s.cfg.MaxOutstanding, maxQueuedBytes*s.cfg.MaxBuffer),
		out:   newFIFO[[]byte](1<<16, maxQueuedBytes*s.cfg.MaxBuffer),
		renew: make(chan struct{}, 1),
		w:     newWatchState(),
		auth:  []znode.ID{{Scheme: "ip", ID: remote.Addr().Unmap().String()}},
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// serve runs the connection: the handshake (or a four-letter word), then
// its goroutines until one of them ends it.
func (c *conn) serve() {
	defer c.stop()
	if !c.handshake() {
		return
	}
	c.stream = c.s.b.Hub().NewStream()
	defer c.stream.Close()
	c.wg.Go(c.write)
	c.wg.Go(c.process)
	c.wg.Go(c.pump)
	c.wg.Go(c.keep)
	c.receive()
	c.stop()
	c.wg.Wait()
}

// stop ends the connection at once; queued replies are dropped. It may be
// called from any goroutine, more than once.
func (c *conn) stop() {
	c.stopOnce.Do(func() {
		c.cancel()
		c.nc.Close()
	})
}

// receive is the reader: it reads request frames until the client goes, the
// connection is stopped, or a frame is malformed or too large (which
// closes this connection and harms nothing else).
func (c *conn) receive() {
	limit := newBucket(c.s.cfg.SessionRate, max(c.s.cfg.SessionRate/10, 1), time.Now)
	lastRenew := time.Now()
	for {
		// a client pings every third of its timeout: silence this long
		// means it is gone
		c.nc.SetReadDeadline(time.Now().Add(c.timeout))
		body, err := c.fr.Next()
		if err != nil {
			c.logReadError(err)
			return
		}
		now := time.Now()
		c.stats.addReceived()
		c.s.stats.addReceived()
		if now.Sub(lastRenew) >= c.timeout/3 {
			lastRenew = now
			select {
			case c.renew <- struct{}{}:
			default:
			}
		}
		hdr, rest, err := jute.CutRequestHeader(body)
		if err != nil {
			c.log.Warn("closing connection: malformed request frame", "err", err)
			return
		}
		if hdr.Type == jute.OpPing {
			// answered at once, ahead of queued requests: clients match
			// ping replies by their xid, not by order
			if c.put(c.frame(hdr.Xid, c.lastZxid.Load(), jute.CodeOK, nil)) != nil {
				return
			}
			continue
		}
		req, err := jute.DecodeRequest(hdr, rest)
		if hdr.Type != jute.OpCloseSession && limit.wait(c.ctx) != nil {
			return
		}
		c.queued.Add(1)
		if c.reqs.put(c.ctx, &request{hdr: hdr, req: req, err: err, read: now}, len(body)) != nil {
			return
		}
	}
}

func (c *conn) logReadError(err error) {
	var size *jute.FrameSizeError
	switch {
	case c.ctx.Err() != nil:
	case errors.Is(err, io.EOF):
		c.log.Debug("client closed the connection", "session", sessionHex(c.session))
	case errors.As(err, &size):
		c.log.Warn("closing connection: frame larger than the jute max buffer (--zk-max-buffer)", "err", err, "session", sessionHex(c.session))
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.log.Info("closing connection: client silent for its session timeout", "session", sessionHex(c.session), "timeout", c.timeout)
	default:
		c.log.Info("closing connection", "err", err, "session", sessionHex(c.session))
	}
}

// frame encodes a reply or notification frame.
func (c *conn) frame(xid int32, zxid int64, code jute.Code, body jute.Record) []byte {
	return jute.AppendReply(nil, jute.ReplyHeader{Xid: xid, Zxid: zxid, Err: code}, body)
}

// put queues a frame for the writer.
func (c *conn) put(frame []byte) error { return c.out.put(c.ctx, frame, len(frame)) }

// write is the writer: it writes queued frames, flushing once per batch,
// and closes the connection after the last one when the queue has ended
// (closeSession, an expired session, an auth failure). A client that does
// not read for its session timeout is dropped.
func (c *conn) write() {
	defer c.stop()
	bw := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		frames, last, err := c.out.take(c.ctx)
		if err != nil {
			return
		}
		c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
		for _, f := range frames {
			if _, err := bw.Write(f); err != nil {
				return
			}
		}
		if err := bw.Flush(); err != nil {
			c.log.Info("closing connection: write failed", "err", err, "session", sessionHex(c.session))
			return
		}
		c.stats.addSent(len(frames))
		c.s.stats.addSent(len(frames))
		if last {
			return
		}
	}
}
