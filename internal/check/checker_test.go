package check

import (
	"slices"
	"strings"
	"testing"
)

// checkerCase is one row of a checker's table: how to break a correct log,
// and what the checker must then report. An empty want means the log is
// still correct.
type checkerCase[L any] struct {
	name     string
	broken   func(l *L)
	want     []string // each must be contained in some violation
	wantLost int
}

// runCheckerCases runs check on a fresh correct log broken by each case.
func runCheckerCases[L any](t *testing.T, correct func() L, check func(L) ([]string, int), cases []checkerCase[L]) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			l := correct()
			tt.broken(&l)
			got, lost := check(l)
			if len(tt.want) == 0 && len(got) > 0 {
				t.Fatalf("violations on a correct history: %q", got)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, w) }) {
					t.Errorf("no violation mentions %q; got %q", w, got)
				}
			}
			if lost != tt.wantLost {
				t.Errorf("lost %d, want %d", lost, tt.wantLost)
			}
		})
	}
}
