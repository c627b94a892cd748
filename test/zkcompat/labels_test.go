package zkcompat

import "fmt"

// labels names values by order of first appearance (Z1, Z2, ...), so that
// two runs that produce different numbers can be compared by which values
// are equal to which. Zero keeps the name "0".
type labels struct {
	prefix string
	names  map[int64]string
}

func newLabels(prefix string) *labels {
	return &labels{prefix: prefix, names: map[int64]string{}}
}

// name returns v's name, giving it the next one if it has none.
func (l *labels) name(v int64) string {
	if v == 0 {
		return "0"
	}
	n, ok := l.names[v]
	if !ok {
		n = fmt.Sprintf("%s%d", l.prefix, len(l.names)+1)
		l.names[v] = n
	}
	return n
}
