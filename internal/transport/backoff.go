package transport

import (
	"context"
	"time"
)

// Bounds of the wait between failed connection attempts to a peer.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = time.Second
)

// backoff is the wait before the next connection attempt: it doubles from
// minBackoff up to maxBackoff with each failure and is reset by a success.
type backoff struct {
	last time.Duration
}

func (b *backoff) next() time.Duration {
	b.last = min(max(2*b.last, minBackoff), maxBackoff)
	return b.last
}

func (b *backoff) reset() { b.last = 0 }

// sleep waits for d and reports true, or reports false as soon as ctx is
// cancelled.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
