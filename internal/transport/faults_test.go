package transport

import (
	"testing"
	"time"
)

func TestLinkFaultsVerdict(t *testing.T) {
	type want struct {
		from, to uint64
		drop     bool
		delay    time.Duration
	}
	tests := []struct {
		name  string
		setup func(f *LinkFaults)
		want  []want
	}{
		{
			name:  "healthy",
			setup: func(*LinkFaults) {},
			want:  []want{{1, 2, false, 0}, {2, 1, false, 0}},
		},
		{
			name:  "cut is one direction",
			setup: func(f *LinkFaults) { f.Cut(1, 2) },
			want:  []want{{1, 2, true, 0}, {2, 1, false, 0}, {1, 3, false, 0}},
		},
		{
			name:  "isolate drops both directions with everyone",
			setup: func(f *LinkFaults) { f.Isolate(1) },
			want:  []want{{1, 2, true, 0}, {2, 1, true, 0}, {1, 7, true, 0}, {2, 3, false, 0}},
		},
		{
			name:  "partition cuts across groups only",
			setup: func(f *LinkFaults) { f.Partition([]uint64{1, 2}, []uint64{3}) },
			want:  []want{{1, 3, true, 0}, {3, 2, true, 0}, {1, 2, false, 0}, {2, 1, false, 0}},
		},
		{
			name:  "drop probability one always drops",
			setup: func(f *LinkFaults) { f.SetDrop(1, 2, 7) },
			want:  []want{{1, 2, true, 0}, {2, 1, false, 0}},
		},
		{
			name:  "delay is per direction",
			setup: func(f *LinkFaults) { f.SetDelay(1, 2, time.Second) },
			want:  []want{{1, 2, false, time.Second}, {2, 1, false, 0}},
		},
		{
			name: "cut wins over delay",
			setup: func(f *LinkFaults) {
				f.SetDelay(1, 2, time.Second)
				f.Cut(1, 2)
			},
			want: []want{{1, 2, true, 0}},
		},
		{
			name: "heal removes everything",
			setup: func(f *LinkFaults) {
				f.Cut(1, 2)
				f.Isolate(3)
				f.Partition([]uint64{4}, []uint64{5})
				f.SetDrop(2, 1, 1)
				f.SetDelay(1, 2, time.Second)
				f.Heal()
			},
			want: []want{{1, 2, false, 0}, {2, 1, false, 0}, {3, 1, false, 0}, {4, 5, false, 0}},
		},
		{
			name: "zero removes drop and delay",
			setup: func(f *LinkFaults) {
				f.SetDrop(1, 2, 1)
				f.SetDelay(1, 2, time.Second)
				f.SetDrop(1, 2, 0)
				f.SetDelay(1, 2, 0)
			},
			want: []want{{1, 2, false, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewLinkFaults(1)
			tt.setup(f)
			for _, w := range tt.want {
				m := app(w.from, w.to, 1)
				drop, delay := f.Verdict(w.from, w.to, &m)
				if drop != w.drop || delay != w.delay {
					t.Errorf("Verdict(%d, %d) = (%v, %v), want (%v, %v)", w.from, w.to, drop, delay, w.drop, w.delay)
				}
			}
		})
	}
}

func TestLinkFaultsDropIsSeeded(t *testing.T) {
	drops := func(seed uint64) (pattern []bool) {
		f := NewLinkFaults(seed)
		f.SetDrop(1, 2, 0.5)
		m := app(1, 2, 1)
		for range 64 {
			drop, _ := f.Verdict(1, 2, &m)
			pattern = append(pattern, drop)
		}
		return pattern
	}
	a, b := drops(42), drops(42)
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed gave different drops at message %d", i)
		}
		if a[i] {
			n++
		}
	}
	if n == 0 || n == len(a) {
		t.Errorf("probability 0.5 dropped %d of %d", n, len(a))
	}
}
