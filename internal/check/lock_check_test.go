package check

import "testing"

func TestCheckLock(t *testing.T) {
	// Revisions of a correct run:
	//  11 guard = 0 (setup)
	//  12 A's lock key created; A is told it holds the lock at 12
	//  13 B's lock key created; B waits
	//  14 guard = 12 (A's write, acknowledged)
	//  15 A's key deleted; B is told it holds the lock at 15
	//  16 guard = 13 (B's write, acknowledged)
	//  17 B's key deleted
	//  18 C's key created; C is told at 18
	//  19 C's key expires; C's write, sent late, is rejected
	correct := func() lockLog {
		return lockLog{
			Holders: []lockHolder{
				{Token: 12, Acquired: 12, Write: acked, WriteRev: 14},
				{Token: 13, Acquired: 15, Write: acked, WriteRev: 16},
				{Token: 18, Acquired: 18, Write: failed},
			},
			Keys:   []lockKey{{Token: 12, Deleted: 15}, {Token: 13, Deleted: 17}, {Token: 18, Deleted: 19}},
			Writes: []tokenWrite{{Rev: 11, Token: 0}, {Rev: 14, Token: 12}, {Rev: 16, Token: 13}},
		}
	}
	runCheckerCases(t, correct, checkLock, []checkerCase[lockLog]{
		{"correct", func(*lockLog) {}, nil, 0},
		{"key still held at the end", func(l *lockLog) { l.Keys[2].Deleted = 0 }, nil, 0},
		{"unknown write that landed", func(l *lockLog) {
			l.Holders[2].Write = unknown
			l.Writes = append(l.Writes, tokenWrite{Rev: 18, Token: 18})
		}, nil, 0},
		{"overlapping holders", func(l *lockLog) { l.Holders[1].Acquired = 14 },
			[]string{"holder with token 13 was told at revision 14 it held the lock, but the older lock key with token 12 existed until revision 15"}, 0},
		{"older key never released", func(l *lockLog) { l.Keys[0].Deleted = 0 },
			[]string{"older lock key with token 12 existed until the end of the history"}, 0},
		{"stale token accepted", func(l *lockLog) { l.Writes = append(l.Writes, tokenWrite{Rev: 18, Token: 12}) },
			[]string{"stale token 12 accepted at revision 18 after token 13 at revision 16"}, 0},
		{"same token accepted twice", func(l *lockLog) { l.Writes = append(l.Writes, tokenWrite{Rev: 17, Token: 13}) },
			[]string{"stale token 13 accepted at revision 17"}, 0},
		{"write after the lock key was deleted", func(l *lockLog) { l.Keys[1].Deleted = 16 },
			[]string{"token 13 accepted at revision 16, after its lock key was deleted at revision 16"}, 0},
		{"write before the holder acquired", func(l *lockLog) { l.Holders[1].Acquired = 17 },
			[]string{"token 13 accepted at revision 16, before its holder acquired the lock at revision 17"}, 0},
		{"token of no lock key", func(l *lockLog) { l.Writes = append(l.Writes, tokenWrite{Rev: 20, Token: 30}) },
			[]string{"no lock key was created at revision 30"}, 0},
		{"token no client held", func(l *lockLog) {
			l.Keys = append(l.Keys, lockKey{Token: 20, Deleted: 22})
			l.Writes = append(l.Writes, tokenWrite{Rev: 21, Token: 20})
		}, []string{"token 20 accepted at revision 21, but no client was told it held the lock"}, 0},
		{"acknowledged write lost", func(l *lockLog) { l.Writes = l.Writes[:2] },
			[]string{"acknowledged write of token 13 at revision 16 is not in the guarded key's history"}, 1},
		{"rejected write applied", func(l *lockLog) { l.Writes = append(l.Writes, tokenWrite{Rev: 18, Token: 18}) },
			[]string{"token 18 accepted at revision 18, but its write was rejected"}, 0},
		{"key taken again by its session", func(l *lockLog) {
			// C's first write timed out but landed; its Unlock failed, so
			// its session took the same key again and the second write,
			// with the same token, was rejected.
			l.Holders[2].Write = unknown
			l.Holders = append(l.Holders, lockHolder{Token: 18, Acquired: 19, Write: failed})
			l.Keys[2].Deleted = 20
			l.Writes = append(l.Writes, tokenWrite{Rev: 18, Token: 18})
		}, nil, 0},
	})
}
