package load

import (
	"math"
	"slices"
	"time"
)

// Samples is a set of latencies. It keeps every sample (8 bytes each; a
// 30 s run at 50 000 ops/s is 12 MB), so quantiles are exact. Not safe for
// concurrent use: each client fills its own and Run merges them.
type Samples struct {
	ns     []int64
	sorted bool
}

// Add records one latency.
func (s *Samples) Add(d time.Duration) {
	s.ns = append(s.ns, int64(d))
	s.sorted = false
}

// Merge adds every sample of o.
func (s *Samples) Merge(o *Samples) {
	s.ns = append(s.ns, o.ns...)
	s.sorted = false
}

// Len is the number of samples.
func (s *Samples) Len() int { return len(s.ns) }

func (s *Samples) sort() {
	if !s.sorted {
		slices.Sort(s.ns)
		s.sorted = true
	}
}

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank
// method: the smallest sample with at least q of the samples at or below
// it. It is 0 when there are no samples.
func (s *Samples) Quantile(q float64) time.Duration {
	if len(s.ns) == 0 {
		return 0
	}
	s.sort()
	rank := int(q*float64(len(s.ns))+0.999999999) - 1
	rank = min(max(rank, 0), len(s.ns)-1)
	return time.Duration(s.ns[rank])
}

// CDFPoint is one point of a cumulative distribution: the fraction of
// samples at or below Latency.
type CDFPoint struct {
	Latency  time.Duration `json:"latency_ns"`
	Fraction float64       `json:"fraction"`
}

// CDF returns at most n points of the distribution: half of them evenly
// spaced up to the 0.9 fraction, half log-spaced from 0.9 to 0.9999 so the
// tail (p99, p999) has points of its own. The last point is the maximum.
func (s *Samples) CDF(n int) []CDFPoint {
	if len(s.ns) == 0 || n < 2 {
		return nil
	}
	s.sort()
	var out []CDFPoint
	last := -1
	for i := range n {
		// Half the points evenly over [0, 0.9], half log-spaced over (0.9, 1].
		var f float64
		if h := n / 2; i < h {
			f = 0.9 * float64(i+1) / float64(h)
		} else {
			f = 1 - 0.1*math.Pow(10, -4*float64(i-h+1)/float64(n-h))
		}
		if i == n-1 {
			f = 1
		}
		rank := min(int(f*float64(len(s.ns))), len(s.ns)) - 1
		if rank <= last || rank < 0 {
			continue
		}
		last = rank
		out = append(out, CDFPoint{Latency: time.Duration(s.ns[rank]), Fraction: float64(rank+1) / float64(len(s.ns))})
	}
	return out
}
