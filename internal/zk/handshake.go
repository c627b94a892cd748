package zk

import (
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"time"

	"github.com/concordkv/concord/internal/zk/jute"
)

// handshakeTimeout bounds the wait for a new connection's first frame and
// the writing of its answer.
const handshakeTimeout = 10 * time.Second

// catchUpTimeout bounds how long a connect waits for this member to catch
// up with what its client has seen (lastZxidSeen), or to learn of a
// session granted on another member.
const catchUpTimeout = 2 * time.Second

// handshake reads the first frame: a four-letter word, answered and
// closed, or a ConnectRequest, answered with the session. It reports
// whether the connection goes on with an established session.
func (c *conn) handshake() bool {
	c.nc.SetDeadline(time.Now().Add(handshakeTimeout))
	body, err := c.fr.Next()
	if err != nil {
		var size *jute.FrameSizeError
		if errors.As(err, &size) {
			if word := fourLetterWord(size.Length); c.s.fourLetter(c.nc, word) {
				return false
			}
		}
		c.log.Info("closing connection: no valid connect request", "err", err)
		return false
	}
	var req jute.ConnectRequest
	if err := jute.Decode(body, &req); err != nil {
		c.log.Warn("closing connection: malformed connect request", "err", err)
		return false
	}
	resp, ok := c.connect(&req)
	if resp == nil {
		return false
	}
	if _, err := c.nc.Write(jute.AppendFrame(nil, resp)); err != nil {
		c.log.Info("closing connection: write connect response", "err", err)
		return false
	}
	c.nc.SetDeadline(time.Time{})
	if ok {
		c.established.Store(true)
		c.s.bind(c)
	}
	return ok
}

// fourLetterWord returns the four bytes of a refused frame length as text.
func fourLetterWord(n int32) string {
	return string(binary.BigEndian.AppendUint32(nil, uint32(n)))
}

// connect establishes the session a ConnectRequest asks for and returns the
// response, with ok set when the session is established. A nil response
// means the connection is to be closed without one (this member cannot
// serve the client: it is behind what the client saw, or has no leader),
// so that the client tries another member. A session this member cannot
// resume (unknown, expired, or a wrong password) is answered as ZooKeeper
// does, with timeout 0 and session 0, which the client reports as Expired.
func (c *conn) connect(req *jute.ConnectRequest) (resp *jute.ConnectResponse, ok bool) {
	ctx, cancel := context.WithTimeout(c.ctx, catchUpTimeout)
	defer cancel()
	if !c.caughtUp(ctx, req.LastZxidSeen) {
		c.log.Info("refusing connect: client has seen a later zxid than this member has applied; it will try another member",
			"lastZxidSeen", req.LastZxidSeen, "applied", c.s.b.Reader().Rev())
		return nil, false
	}
	c.timeout = negotiate(req.TimeOut, c.s.cfg.MinSessionTimeout, c.s.cfg.MaxSessionTimeout)
	resp = &jute.ConnectResponse{TimeOut: int32(c.timeout / time.Millisecond), HasReadOnly: req.HasReadOnly}
	if req.SessionID == 0 {
		id, password, err := c.s.b.OpenSession(ctx, c.timeout.Milliseconds())
		if err != nil {
			c.log.Info("refusing connect: open session", "err", err)
			return nil, false
		}
		c.session, resp.SessionID, resp.Passwd = id, id, password
		c.log.Debug("session opened", "session", sessionHex(id), "timeout", c.timeout)
		return resp, true
	}
	password := c.s.b.SessionPassword(req.SessionID)
	if subtle.ConstantTimeCompare(password, req.Passwd) != 1 || !c.sessionAlive(ctx, req.SessionID) {
		c.log.Info("connect to an expired or unknown session", "session", sessionHex(req.SessionID))
		return &jute.ConnectResponse{Passwd: make([]byte, len(password)), HasReadOnly: req.HasReadOnly}, false
	}
	c.session, c.resumed, resp.SessionID, resp.Passwd = req.SessionID, true, req.SessionID, password
	c.log.Debug("session resumed", "session", sessionHex(req.SessionID), "timeout", c.timeout)
	return resp, true
}

// caughtUp reports whether this member has applied revision zxid, making a
// ReadIndex round first if it has not (the revision was committed, since a
// client saw it).
func (c *conn) caughtUp(ctx context.Context, zxid int64) bool {
	if c.s.b.Reader().Rev() >= zxid {
		return true
	}
	return c.s.b.Sync(ctx) == nil && c.s.b.Reader().Rev() >= zxid
}

// sessionAlive reports whether session id lives, making a ReadIndex round
// first if this member does not know it: the session may have been opened
// on another member a moment ago.
func (c *conn) sessionAlive(ctx context.Context, id int64) bool {
	if c.s.b.SessionAlive(id) {
		return true
	}
	return c.s.b.Sync(ctx) == nil && c.s.b.SessionAlive(id)
}

// negotiate returns the session timeout to grant for a request of ms
// milliseconds: ZooKeeper's, bounded by the minimum and maximum.
func negotiate(ms int32, lo, hi time.Duration) time.Duration {
	return min(max(time.Duration(ms)*time.Millisecond, lo), hi)
}
