package check

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

type step struct {
	client     int
	in         Input
	out        Output
	call, done int64
}

func historyOf(steps []step) *History {
	h := NewHistory()
	for _, s := range steps {
		h.Add(s.client, s.in, s.call, s.out, s.done)
	}
	return h
}

func TestRegisterModel(t *testing.T) {
	put := func(k, v string) Input { return Input{Kind: OpPut, Key: k, Value: v} }
	get := func(k string) Input { return Input{Kind: OpGet, Key: k} }
	cas := func(k, from, to string) Input { return Input{Kind: OpCAS, Key: k, Expect: from, Value: to} }
	tests := []struct {
		name  string
		steps []step
		want  porcupine.CheckResult
	}{
		{"read your write", []step{{0, put("x", "1"), Output{}, 0, 10}, {1, get("x"), Output{Value: "1"}, 20, 30}}, porcupine.Ok},
		{"stale read after a completed write", []step{{0, put("x", "1"), Output{}, 0, 10}, {1, get("x"), Output{Value: ""}, 20, 30}}, porcupine.Illegal},
		{"concurrent read may see either", []step{{0, put("x", "1"), Output{}, 0, 30}, {1, get("x"), Output{Value: ""}, 10, 20}}, porcupine.Ok},
		{"keys are independent", []step{{0, put("x", "1"), Output{}, 0, 10}, {1, get("y"), Output{Value: ""}, 20, 30}}, porcupine.Ok},
		{"cas on the right value swaps", []step{{0, put("x", "1"), Output{}, 0, 10}, {1, cas("x", "1", "2"), Output{OK: true}, 20, 30}, {0, get("x"), Output{Value: "2"}, 40, 50}}, porcupine.Ok},
		{"cas that cannot have swapped", []step{{0, put("x", "1"), Output{}, 0, 10}, {1, cas("x", "0", "2"), Output{OK: true}, 20, 30}}, porcupine.Illegal},
		{"unknown write may land later", []step{{0, put("x", "1"), Output{Unknown: true}, 0, 10}, {1, get("x"), Output{Value: ""}, 20, 30}, {1, get("x"), Output{Value: "1"}, 40, 50}}, porcupine.Ok},
		{"unknown write never lands", []step{{0, put("x", "1"), Output{Unknown: true}, 0, 10}, {1, get("x"), Output{Value: ""}, 20, 30}}, porcupine.Ok},
		{"lost acknowledged write", []step{{0, put("x", "1"), Output{}, 0, 10}, {0, put("x", "2"), Output{}, 20, 30}, {1, get("x"), Output{Value: "1"}, 40, 50}}, porcupine.Illegal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := historyOf(tt.steps).Check(0, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != tt.want {
				t.Fatalf("verdict %v, want %v", res.Verdict, tt.want)
			}
			if tt.want == porcupine.Illegal && res.Visualization == "" {
				t.Fatal("no visualization written for a violation")
			}
		})
	}
}
