package cluster

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Link is a TCP proxy carrying one direction of member-to-member traffic.
// Member i dials peer j at the Link's address (serve --peer-dial-addr) and
// the Link forwards to j's peer listener. Each member dials its own stream
// to each peer and raft messages flow only in the dialling direction (the
// way back carries the one-byte handshake reply), so a Link governs exactly
// the messages i sends to j: cutting it and not the Link from j to i is a
// one-way partition.
//
// A cut closes the link's connections, so the sender's writer sees an error
// and reconnects with backoff, and holds connections opened during the cut
// unanswered until Heal, so the sender's handshake times out as it would
// against an unreachable host. Bytes are never dropped from inside a live
// stream: that would corrupt the framing rather than lose messages. Loss
// is therefore modelled as the stream breaking: each chunk read from the
// sender is, with the loss probability, discarded together with its
// connection, so the messages in flight are lost as a reset would lose them.
// Delay holds each chunk back for the delay plus a random jitter, keeping
// the stream's order.
type Link struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup // the accept loop and every connection's goroutines

	mu     sync.Mutex // protects the fields below
	closed bool
	cut    bool
	delay  time.Duration
	jitter time.Duration
	loss   float64
	rng    *rand.Rand
	conns  map[net.Conn]struct{} // open connections, both sides
}

// NewLink listens on a fresh port of 127.0.0.1 and forwards every
// connection to target until Close.
func NewLink(target string, seed uint64) (*Link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Link{ln: ln, target: target, rng: rand.New(rand.NewPCG(seed, 0)), conns: map[net.Conn]struct{}{}}
	l.wg.Go(l.accept)
	return l, nil
}

// Addr is the host:port the sending member dials.
func (l *Link) Addr() string { return l.ln.Addr().String() }

// Cut drops every open connection of the link and holds new ones
// unanswered until Heal.
func (l *Link) Cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cut = true
	l.closeAllLocked()
}

// Degrade delays every chunk by delay plus up to jitter, and breaks the
// stream at each chunk with probability loss. Zero values restore clean
// forwarding.
func (l *Link) Degrade(delay, jitter time.Duration, loss float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.delay, l.jitter, l.loss = delay, jitter, loss
}

// Heal ends a cut (closing the connections it held) and any degradation.
func (l *Link) Heal() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cut {
		l.cut = false
		l.closeAllLocked()
	}
	l.delay, l.jitter, l.loss = 0, 0, 0
}

// Close stops listening, closes every connection and waits for the link's
// goroutines to stop.
func (l *Link) Close() {
	l.mu.Lock()
	l.closed = true
	l.closeAllLocked()
	l.mu.Unlock()
	l.ln.Close()
	l.wg.Wait()
}

func (l *Link) closeAllLocked() {
	for c := range l.conns {
		c.Close()
		delete(l.conns, c)
	}
}

// track registers up, a connection to the target, unless the link was
// closed or cut since its sender connected; it reports whether it did.
func (l *Link) track(up net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.cut {
		return false
	}
	l.conns[up] = struct{}{}
	return true
}

func (l *Link) drop(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
	c.Close()
}

func (l *Link) accept() {
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			c.Close()
			return
		}
		l.conns[c] = struct{}{}
		cut := l.cut
		l.mu.Unlock()
		if cut {
			l.wg.Go(func() { l.hold(c) })
		} else {
			l.wg.Go(func() { l.forward(c) })
		}
	}
}

// hold reads and discards what a connection opened during a cut sends,
// until Heal or Close closes it.
func (l *Link) hold(c net.Conn) {
	_, _ = io.Copy(io.Discard, c)
	l.drop(c)
}

// forward connects down (the sender's connection) to the target and copies
// both ways until either side ends or the link closes them.
func (l *Link) forward(down net.Conn) {
	defer l.drop(down)
	up, err := net.DialTimeout("tcp", l.target, time.Second)
	if err != nil {
		return // the receiver is down: the sender sees its connection close
	}
	if !l.track(up) {
		up.Close()
		return
	}
	defer l.drop(up)
	var wg sync.WaitGroup
	wg.Go(func() {
		_, _ = io.Copy(down, up) // the handshake reply, undisturbed
		down.Close()
		up.Close()
	})
	l.pump(up, down)
	down.Close()
	up.Close()
	wg.Wait()
}

// chunk is what one read returned, and when it may be delivered.
type chunk struct {
	b   []byte
	due time.Time
}

// pump copies src to dst, applying the link's delay and loss to each chunk.
// A reader goroutine stamps chunks with their due time so that delay does
// not throttle the sender; the due times never decrease, so order is kept.
func (l *Link) pump(dst, src net.Conn) {
	chunks := make(chan chunk, 64)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(chunks)
		for {
			buf := make([]byte, 16<<10)
			n, err := src.Read(buf)
			if n > 0 {
				due, lost := l.verdict()
				if lost {
					src.Close()
					dst.Close()
					return
				}
				chunks <- chunk{buf[:n], due}
			}
			if err != nil {
				return
			}
		}
	})
	var last time.Time
	for c := range chunks {
		last = maxTime(last, c.due)
		if d := time.Until(last); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.b); err != nil {
			src.Close()
			break
		}
	}
	for range chunks { // let the reader finish after a failed write
	}
	wg.Wait()
}

// verdict decides the fate of one chunk read now.
func (l *Link) verdict() (due time.Time, lost bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loss > 0 && l.rng.Float64() < l.loss {
		return time.Time{}, true
	}
	d := l.delay
	if l.jitter > 0 {
		d += time.Duration(l.rng.Int64N(int64(l.jitter)))
	}
	return time.Now().Add(d), false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
