package znode

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is returned by Request.Unmarshal for bytes that are not an
// encoded request.
var ErrMalformed = errors.New("znode: malformed request")

// codecVersion is the request encoding written by this build.
const codecVersion = 1

// A Request is replicated in this compact binary form, format version 1
// (varint and uvarint are encoding/binary's; a string or byte field is a
// uvarint length followed by its bytes):
//
//	version  1 byte, 1
//	session  varint
//	now      varint
//	term     uvarint
//	auth     uvarint count, then per identity: scheme, id (strings)
//	ops      uvarint count, then per op:
//	  kind     1 byte
//	  path     string
//	  data     bytes
//	  acl      uvarint count, then per entry: perms varint, scheme, id
//	  mode     1 byte
//	  ttl      varint
//	  version  varint
//	  zxid     varint
//
// Nothing follows the last op. Every op carries every field, so the format
// needs no per-kind layout; the few unused bytes do not matter next to the
// path and data.

// Marshal encodes r.
func (r *Request) Marshal() []byte {
	b := make([]byte, 0, r.size())
	b = append(b, codecVersion)
	b = binary.AppendVarint(b, r.Session)
	b = binary.AppendVarint(b, r.Now)
	b = binary.AppendUvarint(b, r.Term)
	b = binary.AppendUvarint(b, uint64(len(r.Auth)))
	for _, id := range r.Auth {
		b = appendString(appendString(b, id.Scheme), id.ID)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Ops)))
	for i := range r.Ops {
		op := &r.Ops[i]
		b = append(b, byte(op.Kind))
		b = appendString(b, op.Path)
		b = appendString(b, string(op.Data))
		b = binary.AppendUvarint(b, uint64(len(op.ACL)))
		for _, a := range op.ACL {
			b = binary.AppendVarint(b, int64(a.Perms))
			b = appendString(appendString(b, a.ID.Scheme), a.ID.ID)
		}
		b = append(b, byte(op.Mode))
		b = binary.AppendVarint(b, op.TTL)
		b = binary.AppendVarint(b, int64(op.Version))
		b = binary.AppendVarint(b, op.Zxid)
	}
	return b
}

// size is an upper bound of the encoded size, to allocate once.
func (r *Request) size() int {
	n := 1 + 4*binary.MaxVarintLen64
	for _, id := range r.Auth {
		n += 2*binary.MaxVarintLen64 + len(id.Scheme) + len(id.ID)
	}
	for i := range r.Ops {
		op := &r.Ops[i]
		n += 2 + 7*binary.MaxVarintLen64 + len(op.Path) + len(op.Data)
		for _, a := range op.ACL {
			n += 3*binary.MaxVarintLen64 + len(a.ID.Scheme) + len(a.ID.ID)
		}
	}
	return n
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// Unmarshal decodes what Marshal wrote, failing with ErrMalformed (wrapped
// with what was wrong) on anything else. Counts are checked against the
// bytes left before anything is allocated, so hostile input cannot make it
// allocate more than a small multiple of its own size. Data is copied: r
// does not keep b.
func (r *Request) Unmarshal(b []byte) error {
	d := decoder{b: b}
	if v := d.byte(); d.err == nil && v != codecVersion {
		return fmt.Errorf("%w: format version %d, this build reads %d", ErrMalformed, v, codecVersion)
	}
	*r = Request{Session: d.varint(), Now: d.varint(), Term: d.uvarint()}
	if n := d.count(2); n > 0 { // an identity takes at least 2 bytes
		r.Auth = make([]ID, n)
		for i := range r.Auth {
			r.Auth[i] = ID{Scheme: d.string(), ID: d.string()}
		}
	}
	if n := d.count(8); n > 0 { // an op takes at least 8 bytes
		r.Ops = make([]Op, n)
		for i := range r.Ops {
			d.op(&r.Ops[i])
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes after the last op", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, d.err)
	}
	return nil
}

func (d *decoder) op(op *Op) {
	op.Kind = OpKind(d.byte())
	op.Path = d.string()
	if data := d.string(); data != "" {
		op.Data = []byte(data)
	}
	if n := d.count(3); n > 0 {
		op.ACL = make([]ACL, n)
		for i := range op.ACL {
			op.ACL[i] = ACL{Perms: d.int32(), ID: ID{Scheme: d.string(), ID: d.string()}}
		}
	}
	op.Mode = Mode(d.byte())
	op.TTL = d.varint()
	op.Version = d.int32()
	op.Zxid = d.varint()
}

// decoder reads fields from b, keeping the first error; after an error
// every read returns a zero value.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated")

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) varint() int64   { return next(d, binary.Varint) }
func (d *decoder) uvarint() uint64 { return next(d, binary.Uvarint) }

// next reads one number with read (binary.Varint or binary.Uvarint).
func next[T int64 | uint64](d *decoder, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int32() int32 {
	v := d.varint()
	if v != int64(int32(v)) {
		d.fail(fmt.Errorf("%d does not fit 32 bits", v))
		return 0
	}
	return int32(v)
}

// count reads a count of items that take at least min bytes each.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/min) {
		d.fail(fmt.Errorf("count %d in %d bytes", n, len(d.b)))
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.fail(errShort)
	}
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}
