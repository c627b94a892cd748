package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// FsyncFloor measures the disk under dir: n times, write 4 KiB into a
// preallocated file and fdatasync it, as a write-ahead log appending to a
// preallocated segment does. It returns the median and the 99th percentile.
// The file is removed afterwards.
func FsyncFloor(dir string, n int) (median, p99 time.Duration, err error) {
	const block = 4096
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, 0, fmt.Errorf("probe: fsync floor: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	// Preallocate with real blocks (not a sparse file) and make the size
	// durable, so each fdatasync below writes one data block.
	if _, err := f.Write(make([]byte, block*n)); err != nil {
		return 0, 0, fmt.Errorf("probe: fsync floor: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, 0, fmt.Errorf("probe: fsync floor: %w", err)
	}
	buf := make([]byte, block)
	took := make([]time.Duration, n)
	for i := range n {
		buf[0] = byte(i)
		start := time.Now()
		if _, err := f.WriteAt(buf, int64(i*block)); err != nil {
			return 0, 0, fmt.Errorf("probe: fsync floor: %w", err)
		}
		if err := fdatasync(f); err != nil {
			return 0, 0, fmt.Errorf("probe: fsync floor: fdatasync %s: %w", filepath.Base(f.Name()), err)
		}
		took[i] = time.Since(start)
	}
	slices.Sort(took)
	return took[n/2], took[n*99/100], nil
}
