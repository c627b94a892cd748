package runner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress prints one line per run, rewritten in place on a terminal: the
// run's position, what runs now, elapsed time and an estimate of what is
// left. Its methods may be called from any goroutine.
type Progress struct {
	mu    sync.Mutex // protects following fields
	w     io.Writer
	tty   bool
	start time.Time
	total int
	done  int
	line  string // current in-place line, for Warn to redraw
}

// NewProgress writes to w; on a terminal it rewrites one line in place.
func NewProgress(w io.Writer) *Progress {
	p := &Progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// Start sets the number of runs to come.
func (p *Progress) Start(total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start = total, time.Now()
}

// Status shows a message about a step that is not a run.
func (p *Progress) Status(msg string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.showLocked(fmt.Sprintf("[%s] %s", p.clockLocked(), msg), false)
}

// Begin shows the run about to start.
func (p *Progress) Begin(rep, reps int, workload, system string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.showLocked(fmt.Sprintf("[%s] %d/%d rep %d/%d %-18s %-10s running", p.clockLocked(), p.done+1, p.total, rep+1, reps, workload, system), false)
}

// End shows the run's outcome.
func (p *Progress) End(r Run) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	outcome := r.Status
	switch r.Status {
	case StatusOK:
		outcome = fmt.Sprintf("%9.0f ops/s  p50 %-9s p99 %-9s cpu %.3f s/1k", r.OpsPerSec, fmtDur(r.P50), fmtDur(r.P99), r.CPUPer1000)
		if r.Errors > 0 {
			outcome += fmt.Sprintf("  %d errors", r.Errors)
		}
	case StatusError:
		outcome = "error: " + firstLine(r.Reason)
	}
	p.showLocked(fmt.Sprintf("[%s] %d/%d rep %d %-18s %-10s %s", p.clockLocked(), p.done, p.total, r.Rep, r.Workload, r.System, outcome), r.Status == StatusError)
}

// Warn prints a message on a line of its own.
func (p *Progress) Warn(msg string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.showLocked("warning: "+msg, true)
}

// Finish ends the in-place line.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.line != "" {
		fmt.Fprintln(p.w)
		p.line = ""
	}
}

// clockLocked is "elapsed, ~left" once some runs are done.
func (p *Progress) clockLocked() string {
	el := time.Since(p.start).Round(time.Second)
	if p.done == 0 || p.total == 0 {
		return el.String()
	}
	left := time.Duration(float64(el) / float64(p.done) * float64(p.total-p.done)).Round(time.Second)
	return fmt.Sprintf("%v, ~%v left", el, left)
}

// showLocked prints line: in place on a terminal unless keep, which leaves
// it on the screen.
func (p *Progress) showLocked(line string, keep bool) {
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := ""
	if n := len(p.line) - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.line = line
	if keep {
		fmt.Fprintln(p.w)
		p.line = ""
	}
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
