package server

import (
	"strings"
	"testing"

	"github.com/concordkv/concord/internal/znode"
)

func TestFitRequest(t *testing.T) {
	ops := func(lens ...int) []znode.Op {
		var out []znode.Op
		for _, n := range lens {
			out = append(out, znode.Op{Kind: znode.OpExpire, Path: "/" + strings.Repeat("p", n-1)})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		ops    []znode.Op
		budget int
		want   int
	}{
		{"none", nil, 100, 0},
		{"all fit", ops(10, 10, 10), 1000, 3},
		{"cut at the budget", ops(68, 68, 68), 200, 2}, // 100 bytes each with the overhead
		{"one op over the budget still goes", ops(500), 100, 1},
		{"a long one later waits", ops(10, 500, 10), 100, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(fitRequest(tc.ops, tc.budget)); got != tc.want {
				t.Fatalf("%d ops fit, want %d", got, tc.want)
			}
		})
	}
}
