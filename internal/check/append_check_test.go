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
				readOf("k", 12, 15, []string{"a"}),
				readOf("k", 35, 38, []string{"a", "b"}),
				readOf("j", 1, 2, nil),
			},
			Final: map[string][]string{"k": {"a", "b", "c"}},
		}
	}
	runCheckerCases(t, correct, checkAppends, []checkerCase[appendLog]{
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
		{"stale read", func(l *appendLog) { l.Reads[1] = readOf("k", 35, 38, []string{"a"}) },
			[]string{"stale read: a read saw 1 elements ending in a, missing b"}, 0},
		{"stale read of nothing", func(l *appendLog) { l.Reads[1] = readOf("k", 35, 38, nil) },
			[]string{"stale read: a read saw nothing, missing b"}, 0},
		{"read of a value later lost", func(l *appendLog) { l.Reads[1] = readOf("k", 35, 38, []string{"a", "x"}) },
			[]string{"a read saw 2 elements ending in x, which is not a prefix"}, 0},
		{"read longer than the final value", func(l *appendLog) { l.Reads[1] = readOf("k", 35, 38, []string{"a", "b", "c", "x"}) },
			[]string{"which is not a prefix"}, 0},
	})
}
