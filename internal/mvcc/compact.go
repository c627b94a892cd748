package mvcc

// Compact discards the history before revision rev. Afterwards reads at
// revisions below rev fail with ErrCompacted, while reads at rev and later
// are unchanged: each key keeps its newest version at or before rev (or
// nothing, if that is a tombstone) and every later version. Compact fails
// with ErrFutureRev when rev is above Rev() and with ErrCompacted when rev
// is not above CompactRev(). It is called by the apply goroutine and holds
// the write lock while it visits every key.
func (s *Store) Compact(rev int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev > s.rev {
		return ErrFutureRev
	}
	if rev <= s.compactRev {
		return ErrCompacted
	}
	var changed []keyItem // new histories; nil recs means "delete the key"
	s.tree.Ascend(func(it keyItem) bool {
		if recs, ok := it.compactedAt(rev); ok {
			changed = append(changed, keyItem{key: it.key, recs: recs})
		}
		return true
	})
	for _, it := range changed {
		if it.recs == nil {
			s.tree.Delete(it)
		} else {
			s.tree.ReplaceOrInsert(it)
		}
	}
	s.compactRev = rev
	return nil
}
