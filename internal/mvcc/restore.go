package mvcc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/google/btree"
)

// readSnapshot parses and checks a snapshot written by View.WriteTo.
func readSnapshot(r io.Reader) (tree *btree.BTreeG[keyItem], rev, compactRev int64, err error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	sr := snapReader{br: br}
	var head [len(snapMagic) + 1]byte
	sr.read(head[:])
	if sr.err != nil {
		return nil, 0, 0, sr.err
	}
	if !bytes.Equal(head[:len(snapMagic)], snapMagic[:]) {
		return nil, 0, 0, fmt.Errorf("%w: bad magic %q", ErrCorruptSnapshot, head[:len(snapMagic)])
	}
	if head[len(snapMagic)] != snapVersion {
		return nil, 0, 0, fmt.Errorf("%w: %d", ErrSnapshotVersion, head[len(snapMagic)])
	}
	rev, compactRev = sr.rev(), sr.rev()
	if sr.err == nil && (rev < 1 || compactRev > rev) {
		sr.corrupt("revision %d with compaction revision %d", rev, compactRev)
	}
	tree = newTree()
	var last []byte
	for n := sr.uvarint(); n > 0 && sr.err == nil; n-- {
		it := sr.item(rev)
		if sr.err == nil && last != nil && bytes.Compare(last, it.key) >= 0 {
			sr.corrupt("key %q out of order", it.key)
		}
		tree.ReplaceOrInsert(it)
		last = it.key
	}
	sum := sr.crc
	var trailer [4]byte
	sr.read(trailer[:])
	if sr.err == nil && binary.BigEndian.Uint32(trailer[:]) != sum {
		sr.corrupt("crc mismatch")
	}
	if sr.err != nil {
		return nil, 0, 0, sr.err
	}
	return tree, rev, compactRev, nil
}

// snapReader decodes a snapshot, keeping the CRC of what it consumed and
// the first error.
type snapReader struct {
	br  *bufio.Reader
	crc uint32
	err error
}

func (r *snapReader) corrupt(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrCorruptSnapshot}, args...)...)
	}
}

func (r *snapReader) fail(err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		r.corrupt("%w", io.ErrUnexpectedEOF)
	} else if r.err == nil {
		r.err = fmt.Errorf("mvcc: read snapshot: %w", err)
	}
}

func (r *snapReader) read(p []byte) {
	if r.err != nil {
		return
	}
	if _, err := io.ReadFull(r.br, p); err != nil {
		r.fail(err)
		return
	}
	r.crc = crc32.Update(r.crc, castagnoli, p)
}

func (r *snapReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	b, peekErr := r.br.Peek(binary.MaxVarintLen64) // short only at the end
	x, n := binary.Uvarint(b)
	switch {
	case n < 0:
		r.corrupt("varint overflow")
		return 0
	case n == 0:
		if peekErr == nil {
			peekErr = io.ErrUnexpectedEOF
		}
		r.fail(peekErr)
		return 0
	}
	r.crc = crc32.Update(r.crc, castagnoli, b[:n])
	_, _ = r.br.Discard(n) // cannot fail: the bytes are buffered
	return x
}

func (r *snapReader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// rev reads a revision, which must fit in an int64.
func (r *snapReader) rev() int64 {
	x := r.uvarint()
	if x > math.MaxInt64 {
		r.corrupt("revision %d out of range", x)
		return 0
	}
	return int64(x)
}

// bytes reads a length-prefixed byte string, growing its buffer only as
// data arrives so that a corrupt length cannot force a huge allocation.
func (r *snapReader) bytes() []byte {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	const direct = 1 << 20
	if n <= direct {
		p := make([]byte, n)
		r.read(p)
		return p
	}
	if n > math.MaxInt64 {
		r.corrupt("length %d out of range", n)
		return nil
	}
	p, err := io.ReadAll(io.LimitReader(r.br, int64(n)))
	if err == nil && uint64(len(p)) < n {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		r.fail(err)
		return nil
	}
	r.crc = crc32.Update(r.crc, castagnoli, p)
	return p
}

// item reads one key's history and checks it against the store's rules.
func (r *snapReader) item(storeRev int64) keyItem {
	it := keyItem{key: r.bytes()}
	if r.err == nil && len(it.key) == 0 {
		r.corrupt("empty key")
	}
	n := r.uvarint()
	if r.err == nil && n == 0 {
		r.corrupt("key %q has no history", it.key)
	}
	it.recs = make([]record, 0, min(n, 64))
	var prevMod int64
	for ; n > 0 && r.err == nil; n-- {
		rec := record{mod: r.rev(), sub: r.rev(), create: r.rev(), version: r.rev(), lease: r.varint(), value: r.bytes()}
		if r.err != nil {
			break
		}
		if rec.mod <= prevMod || rec.mod > storeRev || !rec.wellFormed() {
			r.corrupt("key %q: bad record at revision %d", it.key, rec.mod)
		}
		it.recs = append(it.recs, rec)
		prevMod = rec.mod
	}
	return it
}

// wellFormed reports whether r's fields are consistent with each other.
func (r *record) wellFormed() bool {
	if r.tombstone() {
		return r.create == 0 && r.lease == 0 && len(r.value) == 0
	}
	return r.create >= 1 && r.create <= r.mod
}
