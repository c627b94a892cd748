// Package seal frames a self-contained binary section (a lease table or
// ZooKeeper metadata snapshot): a 4-byte magic, a format version byte, the
// body, and a big-endian CRC-32C (Castagnoli) of every byte before it.
//
//	b := seal.Begin(magic, 1)   // magic | version
//	b = append(b, body...)
//	b = seal.End(b)             // | crc
//	body, err := seal.Open(b, magic, 1)
package seal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// ErrBroken is returned by Open for bytes that are not a section with the
// expected magic and version, or are damaged; the message says which.
var ErrBroken = errors.New("seal: broken section")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Begin returns a new buffer holding the section's header.
func Begin(magic []byte, version byte) []byte {
	return append(append([]byte(nil), magic...), version)
}

// End appends the checksum of everything in b and returns the section.
func End(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// Open checks data's magic, version and checksum and returns its body
// (shared with data).
func Open(data, magic []byte, version byte) ([]byte, error) {
	head := len(magic) + 1
	switch {
	case len(data) < head+4 || !bytes.Equal(data[:len(magic)], magic):
		return nil, fmt.Errorf("%w: bad magic", ErrBroken)
	case data[len(magic)] != version:
		return nil, fmt.Errorf("%w: unknown version %d", ErrBroken, data[len(magic)])
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: crc mismatch", ErrBroken)
	}
	return body[head:], nil
}
