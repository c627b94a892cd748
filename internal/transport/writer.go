package transport

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Batching limits. A batch stops growing once it holds maxBatchBytes, so
// one batch is normally one write; writes are cut into writeChunk pieces,
// each with its own WriteTimeout deadline, so a large snapshot is judged by
// its progress rather than its total time.
const (
	maxBatchBytes = 1 << 20
	writeChunk    = 1 << 20
)

// writer owns the outbound connection to one peer. Its goroutine takes the
// peer's queued messages in order, waits out Faults delays, connects when
// there is something to send, and writes every message that is ready as one
// batch.
type writer struct {
	t   *Transport
	p   *peer
	ctx context.Context // cancelled by RemovePeer and Close
	log *slog.Logger

	// The writer goroutine owns every field below.
	conn    net.Conn    // nil while disconnected
	unwatch func() bool // stops conn being closed when ctx is cancelled
	buf     []byte      // encoded frames of the batch being written
	held    outbound    // taken from the queue but not yet due
	holding bool        // held is valid
	down    bool        // the last connection attempt or write failed
	retry   backoff
}

func newWriter(ctx context.Context, t *Transport, p *peer) *writer {
	return &writer{t: t, p: p, ctx: ctx, log: t.log.With("peer", p.id)}
}

// run is the writer goroutine. It returns when ctx is cancelled.
func (w *writer) run() {
	defer w.hangUp()
	for {
		first, ok := w.next()
		if !ok {
			return
		}
		w.deliver(first)
	}
}

// next waits for the oldest queued message and for its delay to pass.
func (w *writer) next() (outbound, bool) {
	if !w.holding {
		select {
		case w.held = <-w.p.queue:
			w.holding = true
		case <-w.ctx.Done():
			return outbound{}, false
		}
	}
	if !w.held.due.IsZero() && !sleep(w.ctx, time.Until(w.held.due)) {
		return outbound{}, false
	}
	return w.take(), true
}

// ready returns the oldest queued message if it is due, without waiting.
func (w *writer) ready() (outbound, bool) {
	if !w.holding {
		select {
		case w.held = <-w.p.queue:
			w.holding = true
		default:
			return outbound{}, false
		}
	}
	if !w.held.due.IsZero() && time.Now().Before(w.held.due) {
		return outbound{}, false
	}
	return w.take(), true
}

// take hands over the held message.
func (w *writer) take() outbound {
	o := w.held
	w.held, w.holding = outbound{}, false
	return o
}

// deliver writes first and every message ready behind it, connecting
// first if need be, and reports the outcome.
func (w *writer) deliver(first outbound) {
	if w.conn == nil {
		if err := w.connect(); err != nil {
			w.fail(err, w.discard(first))
			sleep(w.ctx, w.retry.next())
			return
		}
	}
	snaps := w.encode(first)
	err := w.write()
	if cap(w.buf) > 2*maxBatchBytes {
		w.buf = nil // a snapshot went out; do not keep its buffer
	}
	if err != nil {
		w.hangUp()
		w.fail(err, snaps)
		return
	}
	w.reportSnapshots(snaps, raft.SnapshotFinish)
}

// connect opens and handshakes a connection to the peer.
func (w *writer) connect() error {
	addr := w.p.address()
	conn, err := w.t.open(w.ctx, w.p.id, addr)
	if err != nil {
		return err
	}
	w.conn = conn
	w.unwatch = context.AfterFunc(w.ctx, func() { _ = conn.Close() })
	w.retry.reset()
	w.down = false
	w.log.Info("connected to peer", "addr", addr)
	return nil
}

// hangUp closes the connection, if any.
func (w *writer) hangUp() {
	if w.conn == nil {
		return
	}
	w.unwatch()
	_ = w.conn.Close() // the writer is done with it whatever Close says
	w.conn = nil
}

// encode fills buf with the frames of first and of the messages ready
// behind it, up to maxBatchBytes, and returns how many are MsgSnap.
func (w *writer) encode(first outbound) (snaps int) {
	w.buf = w.buf[:0]
	o := first
	for {
		if w.add(&o.msg) && isSnap(&o.msg) {
			snaps++
		}
		if len(w.buf) >= maxBatchBytes {
			return snaps
		}
		var ok bool
		if o, ok = w.ready(); !ok {
			return snaps
		}
	}
}

// add appends m's frame to buf and reports whether it did. A message that
// cannot be framed is dropped with an error log (and SnapshotFailure).
func (w *writer) add(m *raftpb.Message) bool {
	size := m.Size()
	var err error
	if size > w.t.cfg.MaxFrameSize {
		err = fmt.Errorf("transport: send %v of %d bytes, limit %d: %w", m.Type, size, w.t.cfg.MaxFrameSize, ErrFrameTooLarge)
	} else {
		w.buf, err = appendFrame(w.buf, m, size)
	}
	if err == nil {
		return true
	}
	w.log.Error("dropped message", "err", err)
	if isSnap(m) {
		w.reportSnapshots(1, raft.SnapshotFailure)
	}
	return false
}

// write writes buf to the connection.
func (w *writer) write() error {
	for b := w.buf; len(b) > 0; {
		n := min(len(b), writeChunk)
		if err := w.conn.SetWriteDeadline(time.Now().Add(w.t.cfg.WriteTimeout)); err != nil {
			return fmt.Errorf("transport: set write deadline for peer %d: %w", w.p.id, err)
		}
		if _, err := w.conn.Write(b[:n]); err != nil {
			return fmt.Errorf("transport: write %d bytes to peer %d: %w", len(w.buf), w.p.id, err)
		}
		b = b[n:]
	}
	return nil
}

// discard drops first and everything queued behind it after a failed
// connection attempt, since it would be stale by the next one, and returns
// how many were MsgSnap.
func (w *writer) discard(first outbound) (snaps int) {
	for o, ok := first, true; ok; o, ok = w.drain() {
		if isSnap(&o.msg) {
			snaps++
		}
	}
	return snaps
}

// drain returns the next held or queued message, due or not.
func (w *writer) drain() (outbound, bool) {
	if w.holding {
		return w.take(), true
	}
	select {
	case o := <-w.p.queue:
		return o, true
	default:
		return outbound{}, false
	}
}

// fail reports a failed connection attempt or write: the peer is
// unreachable and the snaps MsgSnap messages it took with it failed. Once
// the writer is stopping, failures are its own doing and go unreported.
func (w *writer) fail(err error, snaps int) {
	if w.ctx.Err() != nil {
		return
	}
	if w.down {
		w.log.Debug("peer still unreachable", "err", err)
	} else {
		w.log.Warn("peer unreachable", "err", err)
	}
	w.down = true
	w.t.cfg.Raft.ReportUnreachable(w.p.id)
	w.reportSnapshots(snaps, raft.SnapshotFailure)
}

func (w *writer) reportSnapshots(n int, status raft.SnapshotStatus) {
	for range n {
		w.t.cfg.Raft.ReportSnapshot(w.p.id, status)
	}
}
