package check

import "testing"

func TestCheckAppends(t *testing.T) {
	// a and b were acknowledged one after the other, c overlapped b and its
	// outcome is unknown (it landed), d failed, e is unknown and never
	// landed. One read saw a, a later one a and b.
	correct := func() appendLog {
		return appendLog{
			Appends: []appendOp{
				{Key: "k", Elem: "a", Call: 0, Return: 10, Outcome: acked},
				{Key: "k", Elem: "b", Call: 20, Return: 30, Outcome: acked},
				{Key: "k", Elem: "c", Call: 25, Return: 40, Outcome: unknown},
				{Key: "k", Elem: "d", Call: 5, Return: 50, Outcome: failed},
				{Key: "j", Elem: "e", Call: 5, Return: 50, Outcome: unknown},
			},
			Reads: []appendRead{
				{Key: "k", Call: 12, Return: 15, Elems: []string{"a"}},
				{Key: "k", Call: 35, Return: 38, Elems: []string{"a", "b"}},
				{Key: "j", Call: 1, Return: 2},
			},
			Final: map[string][]string{"k": {"a", "b", "c"}},
		}
	}
	tests := []struct {
		name     string
		broken   func(l *appendLog)
		want     []string
		wantLost int
	}{
		{"correct", func(*appendLog) {}, nil, 0},
		{"unknown appends may land in any order", func(l *appendLog) { l.Final["j"] = []string{"e"} }, nil, 0},
		{"lost append", func(l *appendLog) { l.Final["k"] = []string{"a", "c"} }, []string{"acknowledged append b is missing"}, 1},
		{"duplicated append", func(l *appendLog) { l.Final["k"] = []string{"a", "b", "b", "c"} }, []string{"b appears twice"}, 0},
		{"unknown append twice", func(l *appendLog) { l.Final["k"] = []string{"a", "b", "c", "c"} }, []string{"c appears twice"}, 0},
		{"reordered append", func(l *appendLog) {
			l.Final["k"] = []string{"b", "a", "c"}
			l.Reads = nil
		}, []string{"a was acknowledged before b was sent, yet follows it"}, 0},
		{"unknown append ahead of an earlier acknowledged one", func(l *appendLog) { l.Final["k"] = []string{"c", "a", "b"}; l.Reads = nil }, []string{"a was acknowledged before c was sent"}, 0},
		{"failed append applied", func(l *appendLog) { l.Final["k"] = []string{"a", "b", "c", "d"} }, []string{"failed append d"}, 0},
		{"element nobody appended", func(l *appendLog) { l.Final["k"] = []string{"a", "b", "c", "x"} }, []string{"x is in the final value but no client appended it"}, 0},
		{"element on the wrong key", func(l *appendLog) { l.Final["j"] = []string{"a"} }, []string{"j: a is in the final value but no client appended it to this key"}, 0},
		{"stale read", func(l *appendLog) { l.Reads[1].Elems = []string{"a"} }, []string{"stale read: [a] misses b"}, 0},
		{"read of a value later lost", func(l *appendLog) { l.Reads[1].Elems = []string{"a", "x"} }, []string{"read [a x] is not a prefix"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := correct()
			tt.broken(&l)
			got, lost := checkAppends(l)
			wantViolations(t, got, lost, tt.want, tt.wantLost)
		})
	}
}
