package runner

import (
	"slices"
	"testing"
)

// TestRotation checks every system takes every position once over as many
// repetitions as there are systems.
func TestRotation(t *testing.T) {
	const n = 3
	seen := map[int][]int{} // position -> systems
	for rep := range n {
		order := rotation(n, rep)
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []int{0, 1, 2}) {
			t.Fatalf("rotation(%d, %d) = %v is not a permutation", n, rep, order)
		}
		for pos, sys := range order {
			seen[pos] = append(seen[pos], sys)
		}
	}
	for pos, systems := range seen {
		slices.Sort(systems)
		if !slices.Equal(systems, []int{0, 1, 2}) {
			t.Errorf("position %d held %v over %d repetitions", pos, systems, n)
		}
	}
}
