package runner

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/concordkv/concord/bench/probe"
)

// meter samples a cluster's members over a run's measured window; load.Run
// calls Start and Stop from its goroutine.
type meter struct {
	pids []int

	cpu0, cpu1   []time.Duration
	self0, self1 time.Duration
	rssReset     bool
	rss          []int64
	err          error // the first /proc read that failed
}

func newMeter(pids []int) *meter {
	return &meter{pids: pids, cpu0: make([]time.Duration, len(pids)), cpu1: make([]time.Duration, len(pids)), rss: make([]int64, len(pids))}
}

func (m *meter) Start() {
	m.rssReset = true
	for i, pid := range m.pids {
		if err := probe.ResetPeakRSS(pid); err != nil {
			m.rssReset = false
		}
		m.cpu0[i] = m.cpuOf(pid)
	}
	m.self0 = selfCPU()
}

func (m *meter) Stop() {
	m.self1 = selfCPU()
	for i, pid := range m.pids {
		m.cpu1[i] = m.cpuOf(pid)
		rss, err := probe.PeakRSS(pid)
		m.keep(err)
		m.rss[i] = rss
	}
}

func (m *meter) cpuOf(pid int) time.Duration {
	d, err := probe.CPUTime(pid)
	m.keep(err)
	return d
}

func (m *meter) keep(err error) {
	if m.err == nil {
		m.err = err
	}
}

// serverCPU is the members' CPU time over the window.
func (m *meter) serverCPU() time.Duration {
	var d time.Duration
	for i := range m.pids {
		d += m.cpu1[i] - m.cpu0[i]
	}
	return d
}

// selfCPU is this process's user plus system CPU time.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
