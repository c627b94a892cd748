package watch

import "errors"

var (
	// ErrClosed means the stream or the whole hub was closed.
	ErrClosed = errors.New("watch: closed")

	// ErrDuplicateID means a Watch asked for an ID already in use on its
	// stream.
	ErrDuplicateID = errors.New("watch: duplicate watch ID")

	// ErrNegativeID means a Watch asked for a negative ID; -1 (AllWatchers)
	// addresses the whole stream.
	ErrNegativeID = errors.New("watch: negative watch ID")

	// ErrEmptyRange means a Watch named a range with no keys in it: an end
	// (other than "\x00") not after the key.
	ErrEmptyRange = errors.New("watch: watch range is empty")
)
