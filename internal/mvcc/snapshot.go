package mvcc

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/google/btree"
)

// A snapshot is the store's whole retained state as a byte stream. Format
// version 2 (uvarint and varint are encoding/binary's; varint is zig-zag):
//
//	magic      4 bytes "CMVC"
//	version    1 byte, 2
//	rev        uvarint  store revision
//	compactRev uvarint  compaction revision
//	keys       uvarint  number of keys, then per key in ascending key order:
//	  keyLen   uvarint, then the key bytes
//	  records  uvarint  number of records, then per record, oldest first:
//	    mod      uvarint
//	    sub      uvarint  position of the write within its transaction
//	    create   uvarint  0 in a tombstone
//	    version  uvarint  0 in a tombstone
//	    lease    varint
//	    valueLen uvarint, then the value bytes
//	crc        4 bytes, big-endian CRC-32C (Castagnoli) of every byte above
//
// The format carries history, not just the latest values, so a restored
// member serves the same historical reads, compares and HashKV as the
// member that wrote it. Version 1 lacked sub; it is not read, since a
// restored member could not replay its history's revisions in order.
const snapVersion = 2

var snapMagic = [4]byte{'C', 'M', 'V', 'C'}

// View is a consistent, immutable image of a Store at one revision. It is
// safe to use from any goroutine while the store keeps changing.
type View struct {
	tree       *btree.BTreeG[keyItem]
	rev        int64
	compactRev int64
}

// View returns an image of the store's current state in O(1): the key
// tree is cloned copy-on-write, so later writes copy the nodes they touch
// instead of changing the ones the View shares. View may be called from
// any goroutine.
func (s *Store) View() *View {
	s.mu.Lock() // Clone updates the tree's copy-on-write bookkeeping
	defer s.mu.Unlock()
	return &View{tree: s.tree.Clone(), rev: s.rev, compactRev: s.compactRev}
}

// Rev returns the revision the view was taken at.
func (v *View) Rev() int64 { return v.rev }

// CompactRev returns the compaction revision the view was taken at.
func (v *View) CompactRev() int64 { return v.compactRev }

// WriteTo writes the view as a snapshot (format above) to w, buffering its
// writes, and returns the number of bytes written.
func (v *View) WriteTo(w io.Writer) (int64, error) {
	sw := snapWriter{bw: bufio.NewWriterSize(w, 64<<10)}
	sw.write(snapMagic[:])
	sw.write([]byte{snapVersion})
	sw.uvarint(uint64(v.rev))
	sw.uvarint(uint64(v.compactRev))
	sw.uvarint(uint64(v.tree.Len()))
	v.tree.Ascend(func(it keyItem) bool {
		sw.uvarint(uint64(len(it.key)))
		sw.write(it.key)
		sw.uvarint(uint64(len(it.recs)))
		for i := range it.recs {
			r := &it.recs[i]
			sw.uvarint(uint64(r.mod))
			sw.uvarint(uint64(r.sub))
			sw.uvarint(uint64(r.create))
			sw.uvarint(uint64(r.version))
			sw.varint(r.lease)
			sw.uvarint(uint64(len(r.value)))
			sw.write(r.value)
		}
		return sw.err == nil
	})
	sum := sw.crc
	sw.write(binary.BigEndian.AppendUint32(sw.scratch[:0], sum))
	if sw.err == nil {
		sw.err = sw.bw.Flush()
	}
	return sw.n, sw.err
}

// Restore replaces the store's whole state with the snapshot read from r.
// It reads r through a bufio.Reader (r itself if it is one), so it may read
// past the snapshot's end unless r is a *bufio.Reader. On error, wrapping
// ErrCorruptSnapshot, ErrSnapshotVersion or r's error, the store is left as
// it was. Restore is called by the apply goroutine.
func (s *Store) Restore(r io.Reader) error {
	tree, rev, compactRev, err := readSnapshot(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tree, s.rev, s.compactRev = tree, rev, compactRev
	return nil
}

// snapWriter writes a snapshot, keeping the CRC, the byte count and the
// first error.
type snapWriter struct {
	bw      *bufio.Writer
	crc     uint32
	n       int64
	err     error
	scratch [binary.MaxVarintLen64]byte
}

func (w *snapWriter) write(p []byte) {
	if w.err != nil {
		return
	}
	w.crc = crc32.Update(w.crc, castagnoli, p)
	n, err := w.bw.Write(p)
	w.n += int64(n)
	w.err = err
}

func (w *snapWriter) uvarint(x uint64) { w.write(binary.AppendUvarint(w.scratch[:0], x)) }

func (w *snapWriter) varint(x int64) { w.write(binary.AppendVarint(w.scratch[:0], x)) }
