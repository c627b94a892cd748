package zk

import (
	"sync"
	"time"
)

// latency summarises request latencies, as ZooKeeper's ServerStats do:
// minimum, maximum and mean, in milliseconds.
type latency struct {
	min, max, total time.Duration
	count           int64
}

func (l *latency) add(d time.Duration) {
	if l.count == 0 || d < l.min {
		l.min = d
	}
	l.max = max(l.max, d)
	l.total += d
	l.count++
}

func (l *latency) minMs() int64 { return l.min.Milliseconds() }
func (l *latency) maxMs() int64 { return l.max.Milliseconds() }

func (l *latency) avgMs() float64 {
	if l.count == 0 {
		return 0
	}
	return float64(l.total) / float64(l.count) / float64(time.Millisecond)
}

// counts are the packet counts and latencies of a server or of one
// connection.
type counts struct {
	received int64 // request frames read
	sent     int64 // frames written
	lat      latency
	// Per connection only: the last request answered.
	lastOp   string
	lastXid  int32
	lastZxid int64
	lastResp time.Time
	lastLat  time.Duration
}

// counters keeps counts for any goroutine.
type counters struct {
	mu sync.Mutex // protects c
	c  counts
}

func (c *counters) addReceived() {
	c.mu.Lock()
	c.c.received++
	c.mu.Unlock()
}

func (c *counters) addSent(n int) {
	c.mu.Lock()
	c.c.sent += int64(n)
	c.mu.Unlock()
}

// answered records a reply to a request of op that took d.
func (c *counters) answered(op string, xid int32, zxid int64, d time.Duration, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.lat.add(d)
	c.c.lastOp, c.c.lastXid, c.c.lastZxid, c.c.lastResp, c.c.lastLat = op, xid, zxid, now, d
}

// snapshot returns a copy of the counts.
func (c *counters) snapshot() counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c
}
