package transport

import (
	"context"
	"sync"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

// outbound is a message waiting in a peer's queue.
type outbound struct {
	msg raftpb.Message
	// due is when a Faults delay ends; zero means the message is ready.
	// The queue stays FIFO whatever the delays: a message is written only
	// after every message queued before it, and not before its own due.
	due time.Time
}

// peer is the sending side of one remote member: a bounded queue filled by
// Send and drained, in order, by the peer's writer goroutine.
type peer struct {
	id    uint64
	queue chan outbound
	stop  context.CancelFunc // stops the writer

	mu   sync.Mutex // protects addr
	addr string
}

func newPeer(id uint64, addr string, queueLen int, stop context.CancelFunc) *peer {
	return &peer{id: id, queue: make(chan outbound, queueLen), stop: stop, addr: addr}
}

// enqueue adds o to the queue unless it is full, and reports whether it did.
func (p *peer) enqueue(o outbound) bool {
	select {
	case p.queue <- o:
		return true
	default:
		return false
	}
}

func (p *peer) address() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

func (p *peer) setAddress(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addr = addr
}
