package zk

import (
	"context"
	"errors"
	"time"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/zk/jute"
)

// keep is the keeper: it renews the session's lease when the reader asks
// (on traffic from the client, at most once a third of the session
// timeout, so a session lives for its timeout after the client's last
// frame, give or take a third), and checks every third of the timeout (at
// most every second) that the session is still in this member's lease
// table. A resumed session is renewed at once: its client may have been
// away for most of the timeout. When the session has expired it tells the
// client and ends the connection.
func (c *conn) keep() {
	tick := time.NewTicker(min(c.timeout/3, time.Second))
	defer tick.Stop()
	if c.resumed {
		select {
		case c.renew <- struct{}{}:
		default: // the reader asked already
		}
	}
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.renew:
			ctx, cancel := context.WithTimeout(c.ctx, c.timeout/2)
			err := c.s.b.KeepAlive(ctx, c.session)
			cancel()
			switch {
			case errors.Is(err, lease.ErrNotFound):
				c.expire()
				return
			case err != nil && c.ctx.Err() == nil:
				c.log.Debug("session renewal failed; retrying on the next frame", "session", sessionHex(c.session), "err", err)
			}
		case <-tick.C:
			if !c.s.b.SessionAlive(c.session) {
				c.expire()
				return
			}
		}
	}
}

// expire tells a connected client that its session has expired (the
// Expired state, which it also learns on its next connect) and closes the
// connection once that is written. Its ephemeral nodes are already gone
// with the session's lease; its watches go with the connection.
func (c *conn) expire() {
	c.log.Info("session expired; closing its connection", "session", sessionHex(c.session))
	ev := &jute.WatcherEvent{Type: jute.EventNone, State: jute.StateExpired}
	if c.put(c.frame(jute.XidNotification, -1, jute.CodeOK, ev)) == nil {
		c.out.closeAfter()
	}
}
