package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	// ErrTruncated means the input ends inside a fixed-size field.
	ErrTruncated = errors.New("jute: input ends inside a field")
	// ErrLength means a length or count prefix is negative (other than -1,
	// jute's null) or larger than the input that is left.
	ErrLength = errors.New("jute: invalid length")
	// ErrMultiOp means a multi or multiRead body holds an operation that
	// the request may not contain.
	ErrMultiOp = errors.New("jute: operation not allowed in this multi")
)

// DecodeError reports where a record could not be decoded.
type DecodeError struct {
	Record string // the record being decoded, e.g. "CreateRequest"
	Field  string // the field path within it, e.g. "acl[1].id.scheme"
	Offset int    // the offset in the input at which the field starts
	Err    error  // wraps ErrTruncated, ErrLength or ErrMultiOp
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("jute: decode %s.%s at byte %d: %v", e.Record, e.Field, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// decoder reads jute primitives from one input. The first failure sticks:
// later reads return zero values, so a record's decode method reads its
// fields straight through and the caller checks err once at the end.
// Nothing it returns aliases the input.
type decoder struct {
	b   []byte
	off int
	err *DecodeError
}

func (d *decoder) left() int { return len(d.b) - d.off }

// fail records the first failure; its Field is completed by the callers
// that decoded the enclosing records (see nest).
func (d *decoder) fail(field string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: d.off, Err: err}
	}
}

// nest prefixes the failing field path with field after decoding a nested
// record or vector element, if that decoding failed.
func (d *decoder) nest(field string) {
	if d.err == nil {
		return
	}
	if d.err.Field == "" {
		d.err.Field = field
	} else {
		d.err.Field = field + "." + d.err.Field
	}
}

// fixed returns the next n bytes, or nil after recording a failure.
func (d *decoder) fixed(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if d.left() < n {
		d.fail(field, fmt.Errorf("%w: needs %d bytes, %d left", ErrTruncated, n, d.left()))
		return nil
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

func (d *decoder) int32(field string) int32 {
	if p := d.fixed(field, 4); p != nil {
		return int32(binary.BigEndian.Uint32(p))
	}
	return 0
}

func (d *decoder) int64(field string) int64 {
	if p := d.fixed(field, 8); p != nil {
		return int64(binary.BigEndian.Uint64(p))
	}
	return 0
}

// bool reads a one-byte boolean; like Java's DataInput, any non-zero byte
// is true.
func (d *decoder) bool(field string) bool {
	p := d.fixed(field, 1)
	return p != nil && p[0] != 0
}

// length reads a length or count prefix and checks that n elements of at
// least unit bytes each fit in what is left. It returns -1 for jute's null.
func (d *decoder) length(field string, unit int) int {
	start := d.off
	n := d.int32(field)
	if d.err != nil || n == -1 {
		return -1
	}
	if n < 0 || int64(n)*int64(unit) > int64(d.left()) {
		d.off = start
		d.fail(field, fmt.Errorf("%w: %d (x %d bytes), %d bytes left", ErrLength, n, unit, d.left()-4))
		return -1
	}
	return int(n)
}

// buffer reads a jute buffer into a new slice: nil for null, non-nil (and
// possibly empty) otherwise.
func (d *decoder) buffer(field string) []byte {
	n := d.length(field, 1)
	if n < 0 {
		return nil
	}
	p := make([]byte, n)
	copy(p, d.b[d.off:])
	d.off += n
	return p
}

// string reads a ustring; null reads as "".
func (d *decoder) string(field string) string {
	n := d.length(field, 1)
	if n < 0 {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

// vector reads a jute vector whose elements take at least unit bytes each,
// decoding each with elem. Null and empty vectors both read as nil.
func vector[T any](d *decoder, field string, unit int, elem func(*decoder, *T)) []T {
	n := d.length(field, unit)
	if n <= 0 {
		return nil
	}
	v := make([]T, n)
	for i := range v {
		elem(d, &v[i])
		if d.err != nil {
			d.nest(fmt.Sprintf("%s[%d]", field, i))
			return nil
		}
	}
	return v
}

func (d *decoder) strings(field string) []string {
	return vector(d, field, 4, func(d *decoder, s *string) { *s = d.string("") })
}
