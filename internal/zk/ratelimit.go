package zk

import (
	"context"
	"time"
)

// bucket is a token bucket: rate tokens a second, at most burst saved up.
// A connection's reader takes one per request and waits when there is
// none, so a client sending faster than the rate is slowed down (its
// requests queue in TCP), never refused. Only the reader goroutine uses
// it.
type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newBucket(rate, burst int, now func() time.Time) *bucket {
	return &bucket{rate: float64(rate), burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

// delay takes a token and returns how long to wait before using it: zero
// while tokens are saved up, else the time until the bucket earns it.
func (b *bucket) delay() time.Duration {
	now := b.now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// wait takes a token, sleeping until it is earned or ctx is done.
func (b *bucket) wait(ctx context.Context) error {
	d := b.delay()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
