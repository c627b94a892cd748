package check

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
)

// lockHolder is one critical section as its client saw it.
type lockHolder struct {
	// Token is the create revision of the holder's lock key.
	Token int64 `json:"token"`
	// Acquired is the revision of the response that told the client it
	// held the lock: at that revision its key was the oldest under the
	// lock prefix.
	Acquired int64   `json:"acquired"`
	Write    outcome `json:"write"`
	// WriteRev is the revision of the token write, when acknowledged.
	WriteRev int64 `json:"write_rev,omitempty"`
}

// lockKey is the lifetime of one lock key in the store's history.
type lockKey struct {
	Token   int64 `json:"token"`   // its create revision
	Deleted int64 `json:"deleted"` // the revision that deleted it; 0 if it still exists
}

// tokenWrite is a token the guarded key accepted, at revision Rev.
type tokenWrite struct {
	Rev   int64 `json:"rev"`
	Token int64 `json:"token"`
}

// lockLog is everything the lock checker judges: what the clients saw and
// what the store's history holds.
type lockLog struct {
	Holders []lockHolder `json:"holders"`
	Keys    []lockKey    `json:"keys"`
	Writes  []tokenWrite `json:"writes"`
}

// checkLock judges a lock log and returns its violations and the number of
// acknowledged token writes missing from the guarded key's history.
//
// A holder's critical section, in revision order, runs from Acquired to
// the deletion of its lock key (by Unlock or by lease expiry). A client
// whose lease expired may still believe it holds the lock; what must hold
// is what the store accepted:
//
//   - No holder was told it held the lock while an older lock key still
//     existed, so critical sections never overlap.
//   - The guarded key accepted tokens in strictly increasing order: no
//     write with a stale token was accepted.
//   - Each accepted token was written inside its holder's critical section.
//   - Acknowledged writes are in the history; rejected ones are not.
func checkLock(l lockLog) ([]string, int) {
	var r report
	checkLockOverlap(&r, l)
	tokens := map[int64]lockKey{}
	for _, k := range l.Keys {
		tokens[k.Token] = k
	}
	// A session whose Unlock failed takes its own key again, so several
	// holds may share a token: the first grant starts the critical
	// section, and any write of the token not rejected may have landed.
	type hold struct {
		acquired int64
		mayWrite bool
	}
	holds := map[int64]hold{}
	for _, h := range l.Holders {
		if old, ok := holds[h.Token]; ok {
			holds[h.Token] = hold{min(old.acquired, h.Acquired), old.mayWrite || h.Write != failed}
		} else {
			holds[h.Token] = hold{h.Acquired, h.Write != failed}
		}
	}
	written := map[tokenWrite]bool{}
	for i, wr := range l.Writes {
		written[wr] = true
		if i > 0 && wr.Token <= l.Writes[i-1].Token {
			r.add("stale token %d accepted at revision %d after token %d at revision %d", wr.Token, wr.Rev, l.Writes[i-1].Token, l.Writes[i-1].Rev)
		}
		if wr.Token == 0 { // the initial value
			continue
		}
		k, ok := tokens[wr.Token]
		h, held := holds[wr.Token]
		switch {
		case !ok:
			r.add("token %d accepted at revision %d, but no lock key was created at revision %d", wr.Token, wr.Rev, wr.Token)
		case k.Deleted != 0 && wr.Rev >= k.Deleted:
			r.add("token %d accepted at revision %d, after its lock key was deleted at revision %d", wr.Token, wr.Rev, k.Deleted)
		case !held:
			r.add("token %d accepted at revision %d, but no client was told it held the lock", wr.Token, wr.Rev)
		case wr.Rev < h.acquired:
			r.add("token %d accepted at revision %d, before its holder acquired the lock at revision %d", wr.Token, wr.Rev, h.acquired)
		case !h.mayWrite:
			r.add("token %d accepted at revision %d, but its write was rejected", wr.Token, wr.Rev)
		}
	}
	lost := 0
	for _, h := range l.Holders {
		if h.Write == acked && !written[tokenWrite{Rev: h.WriteRev, Token: h.Token}] {
			lost++
			r.add("acknowledged write of token %d at revision %d is not in the guarded key's history", h.Token, h.WriteRev)
		}
	}
	return r.violations(), lost
}

// checkLockOverlap reports holders told they held the lock while an older
// lock key still existed.
func checkLockOverlap(r *report, l lockLog) {
	keys := slices.Clone(l.Keys)
	slices.SortFunc(keys, func(a, b lockKey) int { return cmp.Compare(a.Token, b.Token) })
	// last[i] is the key that existed longest among keys[:i+1].
	last := make([]lockKey, len(keys))
	for i, k := range keys {
		last[i] = k
		if i > 0 && last[i-1].end() > k.end() {
			last[i] = last[i-1]
		}
	}
	for _, h := range l.Holders {
		n := sort.Search(len(keys), func(i int) bool { return keys[i].Token >= h.Token })
		if n == 0 {
			continue
		}
		if older := last[n-1]; older.end() > h.Acquired {
			r.add("holder with token %d was told at revision %d it held the lock, but the older lock key with token %d existed until %s",
				h.Token, h.Acquired, older.Token, revName(older.Deleted))
		}
	}
}

// end is the revision at which k stopped existing, or MaxInt64 if it
// still exists.
func (k lockKey) end() int64 {
	if k.Deleted == 0 {
		return math.MaxInt64
	}
	return k.Deleted
}

func revName(rev int64) string {
	if rev == 0 {
		return "the end of the history"
	}
	return "revision " + strconv.FormatInt(rev, 10)
}
