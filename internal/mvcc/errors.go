package mvcc

import "errors"

var (
	// ErrCompacted means the requested revision is older than the
	// compaction revision, so its history is gone.
	ErrCompacted = errors.New("mvcc: required revision has been compacted")

	// ErrFutureRev means the requested revision is newer than the store's.
	ErrFutureRev = errors.New("mvcc: required revision is a future revision")

	// ErrKeyNotFound means a put with IgnoreValue or IgnoreLease named a key
	// that does not exist.
	ErrKeyNotFound = errors.New("mvcc: key not found")

	// ErrEmptyKey means a put named the empty key, which cannot be stored.
	ErrEmptyKey = errors.New("mvcc: empty key")

	// ErrInvalidOp means a transaction held an operation or compare of an
	// unknown type, or an OpTxn without a TxnRequest.
	ErrInvalidOp = errors.New("mvcc: invalid operation")

	// ErrCorruptSnapshot means a snapshot stream failed its CRC, ended early
	// or broke an invariant of the store.
	ErrCorruptSnapshot = errors.New("mvcc: corrupt snapshot")

	// ErrSnapshotVersion means a snapshot was written in a format version
	// this build does not read.
	ErrSnapshotVersion = errors.New("mvcc: unsupported snapshot format version")
)
