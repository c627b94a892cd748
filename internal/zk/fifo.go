package zk

import (
	"context"
	"errors"
	"sync"
)

// errClosing means the connection is closing: the queue takes nothing
// more.
var errClosing = errors.New("zk: connection closing")

// fifo is an ordered queue between a connection's goroutines, bounded in
// items and in bytes (it always takes one item when empty, however large),
// so a client that sends faster than it is answered, or does not read its
// answers, slows down whoever feeds the queue instead of growing the
// server's memory. It serves two queues per connection: requests (reader
// to processor) and outbound frames (processor, pump and reader to the
// writer, in the order they were put). Any goroutine may put; one takes.
type fifo[T any] struct {
	maxItems, maxBytes int

	mu      sync.Mutex // protects the fields below
	items   []T
	bytes   int
	closing bool          // set by closeAfter: puts fail, take reports the end
	space   chan struct{} // closed, and replaced, when items are taken
	ready   chan struct{} // capacity 1: items were put or closing was set
}

func newFIFO[T any](maxItems, maxBytes int) *fifo[T] {
	return &fifo[T]{maxItems: maxItems, maxBytes: maxBytes, space: make(chan struct{}), ready: make(chan struct{}, 1)}
}

// put appends item, of size bytes, waiting while the queue is full. It
// fails with errClosing after closeAfter, or with ctx's error.
func (q *fifo[T]) put(ctx context.Context, item T, size int) error {
	for {
		q.mu.Lock()
		if q.closing {
			q.mu.Unlock()
			return errClosing
		}
		if len(q.items) == 0 || (len(q.items) < q.maxItems && q.bytes+size <= q.maxBytes) {
			q.items = append(q.items, item)
			q.bytes += size
			q.mu.Unlock()
			q.wake()
			return nil
		}
		space := q.space
		q.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// closeAfter ends the queue: take returns what was put before, with last
// set, and later puts fail.
func (q *fifo[T]) closeAfter() {
	q.mu.Lock()
	q.closing = true
	q.mu.Unlock()
	q.wake()
}

// take waits for items and returns all of them, in order, and whether the
// queue has ended after them. It fails only with ctx's error.
func (q *fifo[T]) take(ctx context.Context) (items []T, last bool, err error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 || q.closing {
			items, last = q.items, q.closing
			q.items, q.bytes = nil, 0
			close(q.space)
			q.space = make(chan struct{})
			q.mu.Unlock()
			return items, last, nil
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

func (q *fifo[T]) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}
