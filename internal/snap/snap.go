// Package snap stores raft snapshots as files: one file per snapshot, named
// by index then term (so that name order is log order), holding a CRC and
// the marshalled raftpb.Snapshot.
//
// File layout (all integers big-endian):
//
//	offset 0: magic "CSNP" | version byte (1) | 3 zero bytes
//	offset 8: crc32c of the payload (uint32) | payload length (uint64)
//	offset 20: payload = raftpb.Snapshot.Marshal()
//
// A file is written to a temporary name, fsynced, renamed and the directory
// fsynced, so a crash leaves either the whole snapshot or none of it.
package snap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.etcd.io/raft/v3/raftpb"
)

// ErrNoSnapshot is returned by Load when the directory holds no snapshot.
var ErrNoSnapshot = errors.New("snap: no snapshot")

// ErrCorrupt marks a snapshot file whose CRC or framing is wrong.
var ErrCorrupt = errors.New("snap: corrupt snapshot file")

const (
	suffix    = ".snap"
	headerLen = 20
	keepFiles = 3
)

var (
	magic  = [4]byte{'C', 'S', 'N', 'P'}
	crcTab = crc32.MakeTable(crc32.Castagnoli)
)

// Dir reads and writes the snapshot files of one member. The raft
// goroutine (saving a snapshot received from the leader) and the snapshot
// writer goroutine (saving the member's own) may call Save at the same
// time: saves, with the purge of old files each ends with, take turns.
type Dir struct {
	path string
	mu   sync.Mutex // serialises Save (write, rename, purge)
}

// Open returns the snapshot directory at path, creating it if needed.
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("snap: create %s: %w", path, err)
	}
	return &Dir{path: path}, nil
}

func fileName(term, index uint64) string { return fmt.Sprintf("%016x-%016x%s", index, term, suffix) }

// Save durably writes s and removes all but the newest few snapshot files.
func (d *Dir) Save(s raftpb.Snapshot) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	payload, err := s.Marshal()
	if err != nil {
		return fmt.Errorf("snap: marshal snapshot %d: %w", s.Metadata.Index, err)
	}
	var hdr [headerLen]byte
	copy(hdr[:4], magic[:])
	hdr[4] = 1
	binary.BigEndian.PutUint32(hdr[8:12], crc32.Checksum(payload, crcTab))
	binary.BigEndian.PutUint64(hdr[12:20], uint64(len(payload)))

	final := filepath.Join(d.path, fileName(s.Metadata.Term, s.Metadata.Index))
	tmp := final + ".tmp"
	if err := writeSynced(tmp, hdr[:], payload); err != nil {
		return fmt.Errorf("snap: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("snap: rename %s: %w", tmp, err)
	}
	if err := syncDir(d.path); err != nil {
		return err
	}
	return d.purge()
}

func writeSynced(path string, parts ...[]byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := f.Write(p); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("snap: open dir %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("snap: sync dir %s: %w", path, err)
	}
	return nil
}

// names returns the snapshot file names, newest first.
func (d *Dir) names() ([]string, error) {
	ents, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("snap: list %s: %w", d.path, err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), suffix) {
			out = append(out, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

func (d *Dir) purge() error {
	names, err := d.names()
	if err != nil {
		return err
	}
	for i := keepFiles; i < len(names); i++ {
		// A file already gone is what the purge wanted (ENOENT is not an
		// error here).
		if err := os.Remove(filepath.Join(d.path, names[i])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("snap: remove old snapshot: %w", err)
		}
	}
	return nil
}

// Load returns the snapshot with the given term and index; ErrNoSnapshot if
// there is no such file.
func (d *Dir) Load(term, index uint64) (raftpb.Snapshot, error) {
	path := filepath.Join(d.path, fileName(term, index))
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return raftpb.Snapshot{}, fmt.Errorf("%w at term %d index %d in %s", ErrNoSnapshot, term, index, d.path)
	}
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("snap: open %s: %w", path, err)
	}
	defer f.Close()
	s, err := read(f)
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("snap: read %s: %w", path, err)
	}
	return s, nil
}

func read(r io.Reader) (raftpb.Snapshot, error) {
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if [4]byte(hdr[:4]) != magic || hdr[4] != 1 {
		return raftpb.Snapshot{}, fmt.Errorf("%w: bad magic or version", ErrCorrupt)
	}
	n := binary.BigEndian.Uint64(hdr[12:20])
	if n > 1<<34 {
		return raftpb.Snapshot{}, fmt.Errorf("%w: payload length %d", ErrCorrupt, n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("%w: payload: %v", ErrCorrupt, err)
	}
	if crc32.Checksum(payload, crcTab) != binary.BigEndian.Uint32(hdr[8:12]) {
		return raftpb.Snapshot{}, fmt.Errorf("%w: crc mismatch", ErrCorrupt)
	}
	var s raftpb.Snapshot
	if err := s.Unmarshal(payload); err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return s, nil
}
