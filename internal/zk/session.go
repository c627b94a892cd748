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
//
// When renewals keep failing for two thirds of the timeout (this member
// has lost the leader, e.g. it is on the minority side of a partition), it
// drops the connection without a word, as a ZooKeeper follower that lost
// its leader does: the majority may expire the session meanwhile, and a
// client that stayed here would go on believing in its ephemeral nodes.
// The client moves to another member and learns there whether its session
// lives.
func (c *conn) keep() {
	tick := time.NewTicker(min(c.timeout/3, time.Second))
	defer tick.Stop()
	if c.resumed {
		select {
		case c.renew <- struct{}{}:
		default: // the reader asked already
		}
	}
	renewed := time.Now() // the last successful renewal (the session is fresh or was just resumed)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.renew:
			ctx, cancel := context.WithTimeout(c.ctx, c.timeout/2)
			err := c.s.b.KeepAlive(ctx, c.session)
			cancel()
			switch {
			case err == nil:
				renewed = time.Now()
			case errors.Is(err, lease.ErrNotFound):
				c.expire()
				return
			case c.ctx.Err() != nil:
			case time.Since(renewed) > 2*c.timeout/3:
				c.log.Warn("session not renewed for two thirds of its timeout; dropping the connection so the client moves to another member",
					"session", sessionHex(c.session), "err", err)
				c.stop()
				return
			default:
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
