package check

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// History collects operations from concurrent clients. Times are
// nanoseconds since the history began, from the monotonic clock.
type History struct {
	start time.Time
	mu    sync.Mutex // protects ops
	ops   []porcupine.Operation
}

// NewHistory starts an empty history.
func NewHistory() *History { return &History{start: time.Now()} }

// Now returns the current time on the history's clock.
func (h *History) Now() int64 { return int64(time.Since(h.start)) }

// Add records one finished operation. An output marked Unknown gets an
// unbounded return time.
func (h *History) Add(client int, in Input, call int64, out Output, ret int64) {
	if out.Unknown {
		ret = math.MaxInt64
	}
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
}

// Len reports how many operations were recorded.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ops)
}

// operations returns a copy of the recorded operations.
func (h *History) operations() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ops)
}

// Result is the verdict on a history.
type Result struct {
	Operations int
	Unknown    int // writes whose outcome was never learned
	Verdict    porcupine.CheckResult
	// Visualization is the path of porcupine's HTML rendering, written when
	// the history is not linearizable.
	Visualization string
}

// Check runs porcupine on the history. On a violation it writes the
// visualization into dir.
func (h *History) Check(timeout time.Duration, dir string) (Result, error) {
	ops := h.operations()
	r := Result{Operations: len(ops)}
	for _, op := range ops {
		if op.Output.(Output).Unknown {
			r.Unknown++
		}
	}
	verdict, info := porcupine.CheckOperationsVerbose(RegisterModel, ops, timeout)
	r.Verdict = verdict
	if verdict == porcupine.Illegal {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return r, fmt.Errorf("check: create %s: %w", dir, err)
		}
		r.Visualization = filepath.Join(dir, "history.html")
		if err := porcupine.VisualizePath(RegisterModel, info, r.Visualization); err != nil {
			return r, fmt.Errorf("check: write visualization: %w", err)
		}
	}
	return r, nil
}
