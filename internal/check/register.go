package check

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// OpKind is a register operation.
type OpKind uint8

// Register operations.
const (
	OpGet OpKind = iota
	OpPut
	OpCAS
)

// Input is what a client asked. An empty value means "the key is absent".
type Input struct {
	Kind   OpKind
	Key    string
	Value  string // put and CAS: the new value
	Expect string // CAS: the value the key must hold
}

// Output is what the client was told. Unknown marks a write whose outcome
// the client never learned (a timeout): it may have happened at any moment
// after its call, or not at all.
type Output struct {
	Value   string // get: the value read
	OK      bool   // CAS: whether it swapped
	Unknown bool
}

// RegisterModel is a map of independent registers, one per key, that start
// absent. A write with an unknown outcome is recorded with a return time
// after every other operation, so porcupine may place it anywhere after its
// call; placing it last is the same as it never happening.
var RegisterModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, op := range history {
			k := op.Input.(Input).Key
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(string), input.(Input), output.(Output)
		switch in.Kind {
		case OpGet:
			return out.Value == s, s
		case OpPut:
			return true, in.Value
		default: // OpCAS
			swapped := s == in.Expect
			if !out.Unknown && out.OK != swapped {
				return false, s
			}
			if swapped {
				return true, in.Value
			}
			return true, s
		}
	},
	Equal: func(a, b any) bool { return a.(string) == b.(string) },
	DescribeOperation: func(input, output any) string {
		in, out := input.(Input), output.(Output)
		suffix := ""
		if out.Unknown {
			suffix = " (outcome unknown)"
		}
		switch in.Kind {
		case OpGet:
			return fmt.Sprintf("get(%s) -> %q", in.Key, out.Value)
		case OpPut:
			return fmt.Sprintf("put(%s, %q)%s", in.Key, in.Value, suffix)
		default:
			return fmt.Sprintf("cas(%s, %q -> %q) -> %v%s", in.Key, in.Expect, in.Value, out.OK, suffix)
		}
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state) },
}
