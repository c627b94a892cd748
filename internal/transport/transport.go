package transport

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Transport carries raft messages between the members of one cluster over
// TCP. Its methods are safe for concurrent use.
type Transport struct {
	cfg     Config
	log     *slog.Logger
	reports *reporter
	// dial opens a raw connection; tests wrap it to observe writes.
	dial func(ctx context.Context, addr string) (net.Conn, error)

	ctx    context.Context // cancelled by Close; parent of every peer's context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the Transport starts

	// Lock order: mu, then a peer's mu, the reporter's mu or the Faults'
	// own lock. Nothing is called with mu held that could call back in.
	mu        sync.Mutex // protects the following fields
	closed    bool
	peers     map[uint64]*peer
	listeners map[net.Listener]struct{}
}

// New returns a Transport for cfg. It starts one reporting goroutine;
// peers are added with AddPeer and inbound streams accepted with Serve.
// New panics if cfg.Validate reports an error: a bad Config is a bug in the
// caller, which validates configuration before building components.
func New(cfg Config) *Transport {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transport{
		cfg:       cfg,
		log:       cfg.Logger.With("member", cfg.ID),
		reports:   newReporter(cfg.Raft),
		dial:      dialTCP,
		ctx:       ctx,
		cancel:    cancel,
		peers:     make(map[uint64]*peer),
		listeners: make(map[net.Listener]struct{}),
	}
	t.wg.Go(func() { t.reports.run(ctx) })
	return t
}

// AddPeer makes member id reachable at addr (host:port). The connection is
// opened when the first message to id is written. If id is already a peer,
// AddPeer changes its address; the change takes effect at the next
// connection attempt and messages already queued are kept. AddPeer ignores
// this member's own ID and raft.None, and does nothing after Close.
func (t *Transport) AddPeer(id uint64, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || id == t.cfg.ID || id == raft.None {
		return
	}
	if p := t.peers[id]; p != nil {
		p.setAddress(addr)
		return
	}
	ctx, cancel := context.WithCancel(t.ctx)
	p := newPeer(id, addr, t.cfg.QueueLen, cancel)
	t.peers[id] = p
	w := newWriter(ctx, t, p)
	t.wg.Go(w.run)
}

// RemovePeer stops sending to member id: its writer goroutine stops, its
// connection closes and messages still queued for it are discarded without
// reports. It returns without waiting for the writer to finish; Close does
// that. Removing an unknown peer does nothing.
func (t *Transport) RemovePeer(id uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.peers[id]; p != nil {
		p.stop()
		delete(t.peers, id)
	}
}

// Send queues msgs for their peers and returns without blocking on the
// network. It is called by the raft node after each Ready; the Transport
// keeps the messages, including the slices inside them, until they are
// written, so the caller must not modify them afterwards.
//
// Each message first gets the Faults verdict for its link, if Faults is set.
// It is then dropped, with a debug log, if its To is not a peer; dropped,
// with ReportUnreachable, if its peer's queue is full; and otherwise queued
// behind earlier messages to the same peer. A dropped MsgSnap is reported
// with SnapshotFailure. These reports are made later from the reporter
// goroutine, never from Send. After Close, Send drops everything silently.
func (t *Transport) Send(msgs []raftpb.Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	for i := range msgs {
		t.sendLocked(&msgs[i])
	}
}

// sendLocked queues one message; see Send.
func (t *Transport) sendLocked(m *raftpb.Message) {
	p := t.peers[m.To]
	if p == nil {
		t.log.Debug("dropped message to unknown peer", "to", m.To, "type", m.Type)
		t.reports.lost(m.To, isSnap(m), false)
		return
	}
	out := outbound{msg: *m}
	if t.cfg.Faults != nil {
		drop, delay := t.cfg.Faults.Verdict(t.cfg.ID, m.To, m)
		if drop {
			t.reports.lost(m.To, isSnap(m), false)
			return
		}
		if delay > 0 {
			out.due = time.Now().Add(delay)
		}
	}
	if !p.enqueue(out) {
		t.reports.lost(m.To, isSnap(m), true)
	}
}

// Close stops every goroutine the Transport started and closes every
// connection and every listener given to Serve, waiting until all of them
// are done. Raft calls in progress see their context cancelled and must
// return for Close to return. Close is idempotent and always returns nil;
// the error result lets a Transport serve as an io.Closer.
func (t *Transport) Close() error {
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		t.cancel()
		for ln := range t.listeners {
			_ = ln.Close() // Serve reports nothing after Close, so neither can this
		}
		t.peers = nil
	}
	t.mu.Unlock()
	t.wg.Wait()
	return nil
}

// goLocked starts fn as a goroutine owned by t unless t is closed, and
// reports whether it did. Starting under mu guarantees Close's Wait sees it.
func (t *Transport) goLocked(fn func()) bool {
	if t.closed {
		return false
	}
	t.wg.Go(fn)
	return true
}

func isSnap(m *raftpb.Message) bool { return m.Type == raftpb.MsgSnap }
