package check

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
)

// outcome is what a client learned about a write.
type outcome uint8

const (
	acked   outcome = iota // the write was acknowledged
	failed                 // the write certainly did not happen
	unknown                // the client never learned (a timeout, a lost connection)
)

var outcomeNames = [...]string{acked: "acked", failed: "failed", unknown: "unknown"}

func (o outcome) MarshalJSON() ([]byte, error) { return json.Marshal(outcomeNames[o]) }

// appendOp is one attempt to append Elem to Key. Times are from the
// workload's clock; Call is when the transaction was sent.
type appendOp struct {
	Key     string  `json:"key"`
	Elem    string  `json:"elem"`
	Call    int64   `json:"call"`
	Return  int64   `json:"return"`
	Outcome outcome `json:"outcome"`
}

// appendRead is the read that preceded an append: what the key held,
// kept as its length, last element and a hash of the whole (values grow
// with every append, so keeping each read whole would be quadratic).
type appendRead struct {
	Key    string `json:"key"`
	Call   int64  `json:"call"`
	Return int64  `json:"return"`
	Len    int    `json:"len"`
	Last   string `json:"last,omitempty"`
	Hash   uint64 `json:"hash"`
}

// readOf summarises a read of key that returned elems.
func readOf(key string, call, ret int64, elems []string) appendRead {
	rd := appendRead{Key: key, Call: call, Return: ret, Len: len(elems), Hash: prefixHashes(elems)[len(elems)]}
	if len(elems) > 0 {
		rd.Last = elems[len(elems)-1]
	}
	return rd
}

// prefixHashes returns the FNV-1a hash of every prefix of elems, by length.
func prefixHashes(elems []string) []uint64 {
	h := fnv.New64a()
	out := make([]uint64, len(elems)+1)
	out[0] = h.Sum64()
	for i, e := range elems {
		h.Write([]byte(e))
		h.Write([]byte{' '})
		out[i+1] = h.Sum64()
	}
	return out
}

// appendLog is everything the append checker judges: the attempts, the
// reads, and the final value of each key (absent keys are missing).
type appendLog struct {
	Appends []appendOp          `json:"appends"`
	Reads   []appendRead        `json:"reads"`
	Final   map[string][]string `json:"final"`
}

// checkAppends judges an append log and returns its violations and the
// number of acknowledged appends missing from the final values.
//
//   - Every acknowledged append is in its key's final value; a failed one is
//     not; none (acknowledged, unknown or failed) appears twice, and nothing
//     appears that no client tried to append.
//   - Order: if a was acknowledged before b was sent, a precedes b.
//   - Reads: a read value is a prefix of the final value (nothing read was
//     later lost or rewritten) and holds every append acknowledged before
//     the read was sent (no stale read).
func checkAppends(l appendLog) ([]string, int) {
	var r report
	lost := 0
	byElem := map[string]appendOp{}
	for _, op := range l.Appends {
		byElem[op.Elem] = op
	}
	pos := map[string]int{}      // element -> position in its key's final value
	where := map[string]string{} // element -> the key it is in
	for _, key := range slices.Sorted(maps.Keys(l.Final)) {
		elems := l.Final[key]
		for i, e := range elems {
			if op, ok := byElem[e]; !ok || op.Key != key {
				r.add("%s: %s is in the final value but no client appended it to this key", key, e)
			}
			if k, dup := where[e]; dup {
				r.add("%s: %s appears twice in the final values (at %s[%d] and %s[%d])", key, e, k, pos[e], key, i)
				continue
			}
			pos[e], where[e] = i, key
		}
		checkAppendOrder(&r, key, elems, byElem)
	}
	for _, op := range l.Appends {
		_, present := pos[op.Elem]
		switch {
		case op.Outcome == acked && !present:
			lost++
			r.add("%s: acknowledged append %s is missing from the final value", op.Key, op.Elem)
		case op.Outcome == failed && present:
			r.add("%s: failed append %s is in the final value", op.Key, op.Elem)
		}
	}
	checkAppendReads(&r, l, pos)
	return r.violations(), lost
}

// checkAppendOrder reports each element of a final value that was
// acknowledged before an element placed ahead of it was even sent.
func checkAppendOrder(r *report, key string, elems []string, byElem map[string]appendOp) {
	var latest appendOp // the element ahead with the latest call
	for _, e := range elems {
		op, ok := byElem[e]
		if !ok {
			continue
		}
		if op.Outcome == acked && latest.Call > op.Return {
			r.add("%s: %s was acknowledged before %s was sent, yet follows it", key, e, latest.Elem)
		}
		if op.Call > latest.Call {
			latest = op
		}
	}
}

// checkAppendReads reports reads that are not a prefix of the final value
// or that miss an append acknowledged before they were sent. pos gives each
// element's position in its key's final value.
func checkAppendReads(r *report, l appendLog, pos map[string]int) {
	// Per key, the acknowledged appends present in the final value by
	// return time, and the furthest final position among each prefix of
	// them: a read sent at t must be longer than that position for the
	// appends acknowledged before t.
	type done struct {
		ret      int64
		elem     string
		furthest int
	}
	byKey := map[string][]done{}
	for _, op := range l.Appends {
		if p, ok := pos[op.Elem]; ok && op.Outcome == acked {
			byKey[op.Key] = append(byKey[op.Key], done{ret: op.Return, elem: op.Elem, furthest: p})
		}
	}
	for _, ds := range byKey {
		slices.SortFunc(ds, func(a, b done) int { return cmp.Compare(a.ret, b.ret) })
		for i := 1; i < len(ds); i++ {
			if ds[i].furthest < ds[i-1].furthest {
				ds[i].furthest, ds[i].elem = ds[i-1].furthest, ds[i-1].elem
			}
		}
	}
	prefixes := map[string][]uint64{} // key -> hashes of its final value's prefixes
	for _, rd := range l.Reads {
		p, ok := prefixes[rd.Key]
		if !ok {
			p = prefixHashes(l.Final[rd.Key])
			prefixes[rd.Key] = p
		}
		if rd.Len >= len(p) || p[rd.Len] != rd.Hash {
			r.add("%s: a read saw %s, which is not a prefix of the final value", rd.Key, rd)
			continue
		}
		ds := byKey[rd.Key]
		n := sort.Search(len(ds), func(i int) bool { return ds[i].ret >= rd.Call })
		if n > 0 && ds[n-1].furthest >= rd.Len {
			r.add("%s: stale read: a read saw %s, missing %s, acknowledged before the read was sent", rd.Key, rd, ds[n-1].elem)
		}
	}
}

func (rd appendRead) String() string {
	if rd.Len == 0 {
		return "nothing"
	}
	return fmt.Sprintf("%d elements ending in %s", rd.Len, rd.Last)
}
