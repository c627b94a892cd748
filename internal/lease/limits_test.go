package lease

import (
	"errors"
	"testing"
	"time"
)

func TestLimits(t *testing.T) {
	for _, tt := range []struct {
		election time.Duration
		min      int64
	}{
		{time.Second, 2000}, // etcd's defaults: ceil(1.5 s) = 2 s
		{100 * time.Millisecond, 1000},
		{2 * time.Second, 3000},
		{1100 * time.Millisecond, 2000},
	} {
		if got := LimitsFor(tt.election).MinTTL; got != tt.min {
			t.Errorf("LimitsFor(%v).MinTTL = %d, want %d", tt.election, got, tt.min)
		}
	}
	lim := LimitsFor(time.Second)
	for _, tt := range []struct {
		in, out int64
		err     error
	}{
		{-5, 2000, nil}, {0, 2000, nil}, {1500, 2000, nil}, {2000, 2000, nil}, {2001, 2001, nil},
		{MaxTTL, MaxTTL, nil}, {MaxTTL + 1, 0, ErrTTLTooLarge},
	} {
		got, err := lim.TTL(tt.in)
		if got != tt.out || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("TTL(%d) = %d, %v; want %d, %v", tt.in, got, err, tt.out, tt.err)
		}
	}
	if _, err := Seconds(MaxTTLSeconds + 1); !errors.Is(err, ErrTTLTooLarge) {
		t.Errorf("Seconds(MaxTTLSeconds+1) = %v", err)
	}
	for in, want := range map[int64]int64{MaxTTLSeconds: MaxTTL, 5: 5000, 0: 0, -1: 0, -1 << 62: 0, -1 << 63: 0} {
		if ms, err := Seconds(in); err != nil || ms != want {
			t.Errorf("Seconds(%d) = %d, %v; want %d", in, ms, err, want)
		}
	}
	for in, want := range map[int64]int64{0: 0, 1: 1, 999: 1, 1000: 1, 1001: 2, -1000: -1} {
		if got := ToSeconds(in); got != want {
			t.Errorf("ToSeconds(%d) = %d, want %d", in, got, want)
		}
	}
}
