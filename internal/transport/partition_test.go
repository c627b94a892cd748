package transport

import (
	"slices"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

// sendEverywhere sends a message with index on every link between ms.
func sendEverywhere(ms []*member, index uint64) {
	for _, from := range ms {
		var out []raftpb.Message
		for _, to := range ms {
			if to != from {
				out = append(out, app(from.id, to.id, index))
			}
		}
		from.tr.Send(out)
	}
}

// TestFaultsDropPerLink checks which links a fault blocks. It sends message
// 1 on every link under the fault and waits for it on the links that should
// work; then heals, sends message 2 everywhere and waits for it. Links keep
// order, so a blocked link must show [2] and a working one [1 2]: had
// message 1 got through a blocked link, it would have arrived before 2.
func TestFaultsDropPerLink(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(f *LinkFaults)
		blocked [][2]uint64
	}{
		{"cut one direction", func(f *LinkFaults) { f.Cut(1, 2) }, [][2]uint64{{1, 2}}},
		{"isolate", func(f *LinkFaults) { f.Isolate(1) }, [][2]uint64{{1, 2}, {2, 1}, {1, 3}, {3, 1}}},
		{"partition", func(f *LinkFaults) { f.Partition([]uint64{1, 2}, []uint64{3}) }, [][2]uint64{{1, 3}, {3, 1}, {2, 3}, {3, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			faults := NewLinkFaults(1)
			withFaults := func(c *Config) { c.Faults = faults }
			ms := []*member{startMember(t, 1, withFaults), startMember(t, 2, withFaults), startMember(t, 3, withFaults)}
			connectAll(ms...)
			tt.fault(faults)

			sendEverywhere(ms, 1)
			for _, to := range ms {
				for _, from := range ms {
					if from != to && !slices.Contains(tt.blocked, [2]uint64{from.id, to.id}) {
						checkFor(t, "message 1 on a working link", func() bool { return to.rec.count(from.id) == 1 })
					}
				}
			}
			faults.Heal()
			sendEverywhere(ms, 2)
			for _, to := range ms {
				for _, from := range ms {
					if from == to {
						continue
					}
					checkFor(t, "message 2 after Heal", func() bool { return slices.Contains(to.rec.indexes(from.id), 2) })
					want := []uint64{1, 2}
					if slices.Contains(tt.blocked, [2]uint64{from.id, to.id}) {
						want = []uint64{2}
					}
					if got := to.rec.indexes(from.id); !slices.Equal(got, want) {
						t.Errorf("link %d->%d delivered %v, want %v", from.id, to.id, got, want)
					}
				}
			}
		})
	}
}

func TestRandomDropLosesSome(t *testing.T) {
	const n = 400
	faults := NewLinkFaults(7)
	m1 := startMember(t, 1, func(c *Config) { c.Faults = faults })
	m2 := startMember(t, 2, nil)
	connectAll(m1, m2)
	faults.SetDrop(1, 2, 0.5)
	for i := range uint64(n) {
		m1.tr.Send([]raftpb.Message{app(1, 2, i+1)})
	}
	faults.Heal()
	m1.tr.Send([]raftpb.Message{app(1, 2, n+1)})
	checkFor(t, "the message after Heal", func() bool { return slices.Contains(m2.rec.indexes(1), n+1) })
	got := m2.rec.count(1) - 1
	if got < n/4 || got > 3*n/4 {
		t.Errorf("drop probability 0.5 delivered %d of %d", got, n)
	}
	if !slices.IsSorted(m2.rec.indexes(1)) {
		t.Errorf("survivors arrived out of order")
	}
}

func TestDelayHoldsOnlyItsLink(t *testing.T) {
	const delay = 300 * time.Millisecond
	faults := NewLinkFaults(1)
	m1 := startMember(t, 1, func(c *Config) { c.Faults = faults })
	m2, m3 := startMember(t, 2, nil), startMember(t, 3, nil)
	connectAll(m1, m2, m3)
	faults.SetDelay(1, 2, delay)

	start := time.Now()
	m1.tr.Send([]raftpb.Message{app(1, 2, 1), app(1, 3, 1)})
	faults.SetDelay(1, 2, 0) // a later message on the link must still wait its turn
	m1.tr.Send([]raftpb.Message{app(1, 2, 2)})

	checkFor(t, "the undelayed link", func() bool { return m3.rec.count(1) == 1 })
	if n := m2.rec.count(1); n != 0 {
		t.Fatalf("delayed link delivered %d messages before the undelayed one", n)
	}
	checkFor(t, "the delayed link", func() bool { return m2.rec.count(1) == 2 })
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("delayed messages arrived after %v, want at least %v", elapsed, delay)
	}
	if got := m2.rec.indexes(1); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("delayed link delivered %v, want [1 2]", got)
	}
}
