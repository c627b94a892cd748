package mvcc

import (
	"sync"

	"github.com/google/btree"
)

// degree is the B-tree's minimum degree: nodes hold up to 2*degree-1 items.
const degree = 32

// Store is the multi-version key-value store. The zero value is not usable;
// call New. See the package documentation for which goroutines may call
// which methods.
type Store struct {
	mu         sync.RWMutex // protects the fields below
	tree       *btree.BTreeG[keyItem]
	rev        int64 // current revision; 1 when empty
	compactRev int64 // reads below this revision fail; 0 before any compaction

	// undo is the rollback log of the write transaction in progress, kept
	// here only to reuse its memory. Touched only under the write lock.
	undo []undoEntry
}

// New returns an empty store at revision 1.
func New() *Store {
	return &Store{tree: newTree(), rev: 1}
}

func newTree() *btree.BTreeG[keyItem] { return btree.NewG(degree, lessKey) }

// Rev returns the store's current revision.
func (s *Store) Rev() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// CompactRev returns the revision of the latest compaction, or 0 if the
// store was never compacted. Reads at revisions below it fail.
func (s *Store) CompactRev() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.compactRev
}

// readRevLocked resolves a requested read revision (<= 0 meaning the
// current one) against the store's retained history.
func (s *Store) readRevLocked(rev int64) (int64, error) {
	switch {
	case rev <= 0:
		return s.rev, nil
	case rev > s.rev:
		return 0, ErrFutureRev
	case rev < s.compactRev:
		return 0, ErrCompacted
	}
	return rev, nil
}
