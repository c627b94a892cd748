package mvcc

import (
	"bytes"
	"cmp"

	"github.com/google/btree"
)

// CompareTarget is the field a Compare tests; the values match etcd's
// Compare.CompareTarget.
type CompareTarget int32

const (
	TargetVersion CompareTarget = iota
	TargetCreate
	TargetMod
	TargetValue
	TargetLease
)

// CompareResult is the relation a Compare requires between the key's field
// (left) and the given operand (right); the values match etcd's
// Compare.CompareResult.
type CompareResult int32

const (
	Equal CompareResult = iota
	Greater
	Less
	NotEqual
)

// Compare is one guard of a transaction, with etcd's semantics. It holds
// when every key existing in the range (End as in Range; empty End means
// the single Key) satisfies it. When no key exists there, a Version,
// Create, Mod or Lease compare is made against 0, and a Value compare
// fails. Only the operand field named by Target is read.
type Compare struct {
	Key, End  []byte
	Target    CompareTarget
	Result    CompareResult
	Version   int64
	CreateRev int64
	ModRev    int64
	Lease     int64
	Value     []byte
}

// compareAt evaluates c against t as of revision rev.
func compareAt(t *btree.BTreeG[keyItem], c *Compare, rev int64) (bool, error) {
	if c.Target < TargetVersion || c.Target > TargetLease || c.Result < Equal || c.Result > NotEqual {
		return false, ErrInvalidOp
	}
	found, holds := false, true
	ascend(t, c.Key, c.End, func(it keyItem) bool {
		r, ok := it.at(rev)
		if !ok {
			return true
		}
		found = true
		holds = c.holds(&r)
		return holds
	})
	if found {
		return holds, nil
	}
	if c.Target == TargetValue {
		return false, nil
	}
	return c.holds(&record{}), nil
}

// holds reports whether the version r satisfies c.
func (c *Compare) holds(r *record) bool {
	var d int
	switch c.Target {
	case TargetVersion:
		d = cmp.Compare(r.version, c.Version)
	case TargetCreate:
		d = cmp.Compare(r.create, c.CreateRev)
	case TargetMod:
		d = cmp.Compare(r.mod, c.ModRev)
	case TargetValue:
		d = bytes.Compare(r.value, c.Value)
	case TargetLease:
		d = cmp.Compare(r.lease, c.Lease)
	}
	switch c.Result {
	case Greater:
		return d > 0
	case Less:
		return d < 0
	case NotEqual:
		return d != 0
	}
	return d == 0
}
