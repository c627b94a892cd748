package mvcc

// Seek walks the keys in [key, end) in ascending order, as of the current
// revision, letting fn jump over stretches it does not need: the ZooKeeper
// data model lists the children of "/a" by visiting "/a/x" and then seeking
// past "/a/x/", so a child's descendants cost one seek, not a visit each.
//
// fn is called with each key (shared: read-only) and whether it exists at
// the current revision (a deleted key stays in the index until compaction
// drops its history). It returns nil to go on with the next key, or a key
// to continue from instead; a key that does not sort after the current one
// is ignored, and one at or after end ends the walk. Seek holds the
// store's read lock throughout, so fn must not call the store. It may be
// called from any goroutine.
func (s *Store) Seek(key, end []byte, fn func(key []byte, live bool) (next []byte)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for {
		var next []byte
		s.tree.AscendRange(keyItem{key: key}, keyItem{key: end}, func(it keyItem) bool {
			_, live := it.latest()
			next = fn(it.key, live)
			if next != nil && string(next) <= string(it.key) {
				next = nil
			}
			return next == nil
		})
		if next == nil || string(next) >= string(end) {
			return
		}
		key = next
	}
}
