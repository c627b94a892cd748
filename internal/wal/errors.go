package wal

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt reports damaged bytes that are not a torn tail: a record that fails to decode
	// in a segment other than the last, or with a valid record after it, or a log whose records
	// contradict each other. Open wraps it in an error naming the segment file and byte offset.
	// The log cannot be used until an operator has looked at it.
	ErrCorrupt = errors.New("wal: corrupt log")

	// ErrFailed reports that a Save or SaveSnapshot failed: a write or sync error, or a call
	// the log cannot honour (entries that leave a gap, a marker that goes backwards). It is
	// sticky: from then on every Save, SaveSnapshot and ReleaseTo returns an error wrapping
	// ErrFailed and the original cause. What reached the disk is unknown, so the member must
	// stop; Open will repair or reject the log on restart.
	ErrFailed = errors.New("wal: failed")

	// ErrClosed reports a call on a WAL after Close.
	ErrClosed = errors.New("wal: closed")
)

// corruptAt returns an error wrapping ErrCorrupt that names the segment file and the byte
// offset of the damaged record.
func corruptAt(path string, off int, cause error) error {
	return fmt.Errorf("%w: %s at offset %d: %w", ErrCorrupt, path, off, cause)
}
