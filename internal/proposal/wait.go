package proposal

import "sync"

// Result is what the apply step produced for one command: a response value
// or a deterministic error (for example a failed txn compare is a value, a
// missing lease is an error).
type Result struct {
	Value any
	Err   error
}

// Wait maps request IDs to the channel their caller waits on. Register and
// Cancel are called by request goroutines, Trigger by the apply goroutine.
type Wait struct {
	mu      sync.Mutex // protects pending
	pending map[uint64]chan Result
}

// NewWait returns an empty Wait.
func NewWait() *Wait { return &Wait{pending: map[uint64]chan Result{}} }

// Register returns the channel that will receive id's result. The caller
// must call Cancel(id) when it stops waiting, whatever the outcome.
func (w *Wait) Register(id uint64) <-chan Result {
	ch := make(chan Result, 1)
	w.mu.Lock()
	w.pending[id] = ch
	w.mu.Unlock()
	return ch
}

// Trigger delivers r to id's waiter if there is one; it never blocks.
func (w *Wait) Trigger(id uint64, r Result) {
	w.mu.Lock()
	ch, ok := w.pending[id]
	delete(w.pending, id)
	w.mu.Unlock()
	if ok {
		ch <- r
	}
}

// Cancel forgets id.
func (w *Wait) Cancel(id uint64) {
	w.mu.Lock()
	delete(w.pending, id)
	w.mu.Unlock()
}

// Len reports how many callers are waiting.
func (w *Wait) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}
