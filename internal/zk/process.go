package zk

import (
	"errors"
	"time"

	"github.com/concordkv/concord/internal/zk/jute"
)

// reply is the processor's answer to one request.
type reply struct {
	zxid    int64          // the revision the reply reflects
	err     error          // mapped to the header's code; a fatal one closes the connection instead
	body    jute.Record    // sent when err is nil
	watches []watchAdd     // watches the request sets, at zxid
	notes   []notification // notifications sent just before the reply (setWatches)
	close   bool           // close the connection after the reply
}

// process is the processor: it runs requests one at a time, in the order
// they came, so that a session's writes apply in its order (ZooKeeper's
// FIFO client order) and its reads see its earlier writes, and queues each
// reply once every watch event up to the reply's zxid has been queued.
func (c *conn) process() {
	for {
		batch, _, err := c.reqs.take(c.ctx)
		if err != nil {
			return
		}
		for _, r := range batch {
			if err := c.tidyFeeds(); err != nil {
				return
			}
			rep := c.handle(r)
			if err := c.reply(r, rep); err != nil {
				if !errors.Is(err, errClosing) && c.ctx.Err() == nil {
					c.log.Info("closing connection: this member cannot serve the request now", "op", r.hdr.Type,
						"err", err, "session", sessionHex(c.session))
					c.stop()
				}
				return
			}
			c.queued.Add(-1)
			if rep.close {
				return // the writer closes the connection after the reply
			}
		}
	}
}

// handle runs one request.
func (c *conn) handle(r *request) reply {
	if r.err != nil {
		if !errors.Is(r.err, jute.ErrUnknownOp) {
			c.log.Info("request not decoded", "op", r.hdr.Type, "err", r.err, "session", sessionHex(c.session))
		}
		return c.answer(r.err)
	}
	switch q := r.req.(type) {
	case *jute.ExistsRequest:
		return c.exists(q)
	case *jute.GetDataRequest:
		return c.getData(q)
	case *jute.GetChildrenRequest:
		return c.getChildren(&q.PathWatchRequest, false)
	case *jute.GetChildren2Request:
		return c.getChildren(&q.PathWatchRequest, true)
	case *jute.GetACLRequest:
		return c.getACL(q)
	case *jute.GetAllChildrenNumberRequest:
		return c.allChildrenNumber(q)
	case *jute.GetEphemeralsRequest:
		return c.ephemerals(q)
	case *jute.MultiReadRequest:
		return c.multiRead(q)
	case *jute.SyncRequest:
		return c.sync(q)
	case *jute.MultiRequest:
		return c.multi(q)
	case *jute.SetWatches:
		return c.setWatches(q, nil, nil)
	case *jute.SetWatches2:
		return c.setWatches(&q.SetWatches, q.PersistentWatches, q.PersistentRecursiveWatches)
	case *jute.AddWatchRequest:
		return c.addWatch(q)
	case *jute.CheckWatchesRequest:
		return c.removeWatches(&q.WatchesRequest, false)
	case *jute.RemoveWatchesRequest:
		return c.removeWatches(&q.WatchesRequest, true)
	case *jute.AuthPacket:
		return c.authenticate(q)
	case *jute.WhoAmIRequest:
		return c.whoAmI()
	case *jute.CloseSessionRequest:
		return c.closeSession()
	case *jute.PingRequest:
		return c.answer(nil)
	}
	if op, kind, ok := writeOp(r.req); ok {
		return c.writeOne(op, kind)
	}
	// deleteContainer is the container reaper's, not a client's
	return c.answer(&jute.UnknownOpError{Op: r.hdr.Type})
}

// answer is a reply that reflects no read: it carries the last zxid sent.
func (c *conn) answer(err error) reply { return reply{zxid: c.lastZxid.Load(), err: err} }

// reply queues rep's frames, after every watch event up to its zxid, and
// sets the watches it carries. A fatal error closes the connection
// instead (returned); so does a failure to queue.
func (c *conn) reply(r *request, rep reply) error {
	if fatal(rep.err) {
		return rep.err
	}
	frame := c.replyFrame(r.hdr.Xid, rep)
	if len(frame)-4 > c.s.cfg.MaxBuffer {
		rep.err, rep.watches = errReplyTooLarge, nil
		frame = c.replyFrame(r.hdr.Xid, rep)
	}
	frames := make([][]byte, 0, len(rep.notes)+1)
	for _, n := range rep.notes {
		frames = append(frames, c.notification(n))
	}
	frames = append(frames, frame)
	err := c.setWatchesAndPut(rep.watches, rep.zxid, frames)
	if errors.Is(err, errTooManyWatches) {
		rep.err = err
		err = c.put(c.replyFrame(r.hdr.Xid, rep))
	}
	if err != nil {
		return err
	}
	if rep.zxid > c.lastZxid.Load() {
		c.lastZxid.Store(rep.zxid)
	}
	now := time.Now()
	c.stats.answered(r.hdr.Type.String(), r.hdr.Xid, rep.zxid, now.Sub(r.read), now)
	c.s.stats.answered(r.hdr.Type.String(), r.hdr.Xid, rep.zxid, now.Sub(r.read), now)
	if rep.close {
		c.out.closeAfter()
	}
	return nil
}

// replyFrame encodes rep's reply frame: its body only when it succeeded.
func (c *conn) replyFrame(xid int32, rep reply) []byte {
	code := codeOf(rep.err)
	var body jute.Record
	if code == jute.CodeOK {
		body = rep.body
	}
	return c.frame(xid, rep.zxid, code, body)
}

// notification encodes a watch notification frame.
func (c *conn) notification(n notification) []byte {
	ev := &jute.WatcherEvent{Type: n.typ, State: jute.StateSyncConnected, Path: n.path}
	return c.frame(jute.XidNotification, n.zxid, jute.CodeOK, ev)
}
