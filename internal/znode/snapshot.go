package znode

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/btree"

	"github.com/concordkv/concord/internal/mvcc"
	"github.com/concordkv/concord/internal/seal"
)

// The metadata table's snapshot, format version 1 (varint, uvarint and
// strings as in the request encoding, codec.go):
//
//	magic     4 bytes "CZND"
//	version   1 byte, 1
//	now       varint   the latest stamped time
//	nodes     uvarint count, then per entry in ascending path order:
//	  path      string
//	  live      1 byte, 0 or 1
//	  ctime     varint
//	  mtime     varint
//	  aversion  varint
//	  mode      1 byte
//	  ttl       varint
//	  acl       uvarint count (0: the open ACL), then per entry: perms varint, scheme, id
//	  cversion  varint
//	  pzxid     varint
//	  children  varint
//	crc       4 bytes, big-endian CRC-32C (Castagnoli) of every byte above
//
// The same table always encodes to the same bytes.
const snapVersion = 1

var (
	snapMagic = []byte("CZND")

	// ErrCorruptSnapshot means Restore was given bytes that are not a
	// metadata snapshot, or are damaged.
	ErrCorruptSnapshot = errors.New("znode: corrupt snapshot")
)

// Snapshot is an immutable image of the metadata table.
type Snapshot struct {
	nodes *btree.BTreeG[node]
	now   int64
}

// Snapshot returns an image of the table in O(1) (the tree is cloned
// copy-on-write). The apply goroutine takes it at the same point as the
// store's View, so both describe the same applied index.
func (t *Tree) Snapshot() *Snapshot {
	t.mu.Lock() // Clone updates the tree's copy-on-write bookkeeping
	defer t.mu.Unlock()
	return &Snapshot{nodes: t.nodes.Clone(), now: t.now}
}

// Marshal encodes the image (format above); it may run on any goroutine.
func (s *Snapshot) Marshal() []byte {
	b := seal.Begin(snapMagic, snapVersion)
	b = binary.AppendVarint(b, s.now)
	b = binary.AppendUvarint(b, uint64(s.nodes.Len()))
	s.nodes.Ascend(func(n node) bool {
		b = appendString(b, n.path)
		live := byte(0)
		if n.live {
			live = 1
		}
		b = append(b, live)
		b = binary.AppendVarint(b, n.ctime)
		b = binary.AppendVarint(b, n.mtime)
		b = binary.AppendVarint(b, int64(n.aversion))
		b = append(b, byte(n.mode))
		b = binary.AppendVarint(b, n.ttl)
		b = binary.AppendUvarint(b, uint64(len(n.acl)))
		for _, a := range n.acl {
			b = binary.AppendVarint(b, int64(a.Perms))
			b = appendString(appendString(b, a.ID.Scheme), a.ID.ID)
		}
		b = binary.AppendVarint(b, int64(n.cversion))
		b = binary.AppendVarint(b, n.pzxid)
		b = binary.AppendVarint(b, int64(n.children))
		return true
	})
	return seal.End(b)
}

// Restore replaces the table with the snapshot meta, after running
// restoreStore, which restores the store (and must leave it unchanged when
// it fails), all under the Tree's write lock, so that no reader sees one
// without the other. A nil meta (a snapshot from before the table existed)
// rebuilds the table from the restored store: child counts, cversions (one
// creation per live child) and pzxids (the newest child's creation) are
// derived from the keys, other fields take their defaults. On error nothing
// changes. Restore is called by the apply goroutine.
func (t *Tree) Restore(meta []byte, restoreStore func() error) error {
	var snap *Snapshot
	if meta != nil {
		var err error
		if snap, err = decodeSnapshot(meta); err != nil {
			return err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := restoreStore(); err != nil {
		return err
	}
	if snap == nil {
		snap = &Snapshot{nodes: t.rebuildLocked()}
	}
	t.reset(snap.nodes)
	t.now = snap.now
	return nil
}

// rebuildLocked derives a table from the store's keys.
func (t *Tree) rebuildLocked() *btree.BTreeG[node] {
	res, err := t.store.Range([]byte("/"), []byte("0"), mvcc.RangeOptions{KeysOnly: true})
	if err != nil {
		panic(fmt.Sprintf("znode: rebuild metadata: %v", err)) // a read of the current revision cannot fail
	}
	nodes := newNodes()
	update := func(path string, fn func(n *node)) {
		n, ok := nodes.Get(node{path: path})
		if !ok {
			n.path = path
		}
		fn(&n)
		nodes.ReplaceOrInsert(n)
	}
	for _, kv := range res.KVs {
		path := string(kv.Key)
		if !visible(path) {
			continue
		}
		update(path, func(n *node) {
			n.live = true
			if path != "/" {
				n.pzxid = max(n.pzxid, kv.CreateRevision)
			}
		})
		if parent, ok := parentOf(path); ok {
			update(parent, func(p *node) {
				p.children++
				p.cversion++
				p.pzxid = max(p.pzxid, kv.CreateRevision)
			})
		}
	}
	return nodes
}

func decodeSnapshot(data []byte) (*Snapshot, error) {
	body, err := seal.Open(data, snapMagic, snapVersion)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptSnapshot, err)
	}
	d := decoder{b: body}
	s := &Snapshot{nodes: btree.NewG(32, lessNode), now: d.varint()}
	n := d.count(12) // an entry takes at least 12 bytes
	prev := ""
	for i := 0; i < n && d.err == nil; i++ {
		e := d.node()
		if d.err == nil && (!ValidPath(e.path) || (i > 0 && e.path <= prev)) {
			d.fail(fmt.Errorf("path %q invalid or out of order", e.path))
		}
		prev = e.path
		s.nodes.ReplaceOrInsert(e)
	}
	if _, ok := s.nodes.Get(node{path: "/"}); d.err == nil && !ok {
		d.fail(errors.New("no root entry"))
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail(fmt.Errorf("%d bytes after the last entry", len(d.b)))
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptSnapshot, d.err)
	}
	return s, nil
}

func (d *decoder) node() node {
	n := node{path: d.string(), live: d.byte() == 1, ctime: d.varint(), mtime: d.varint(), aversion: d.int32(), mode: Mode(d.byte()), ttl: d.varint()}
	if c := d.count(3); c > 0 {
		n.acl = make([]ACL, c)
		for i := range n.acl {
			n.acl[i] = ACL{Perms: d.int32(), ID: ID{Scheme: d.string(), ID: d.string()}}
		}
	}
	n.cversion, n.pzxid, n.children = d.int32(), d.varint(), d.int32()
	return n
}
