package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The handshake opens every stream; see the package documentation for the
// byte layout.
const (
	handshakeMagic  = "CNCD"
	protocolVersion = 1
	helloLen        = len(handshakeMagic) + 1 + 3*8
)

// Handshake reply bytes.
const (
	replyOK byte = iota
	replyClusterMismatch
	replyWrongMember
	replyBadHandshake
)

// hello is what the dialing member says first: who it is, which cluster it
// belongs to and which member it means to reach.
type hello struct {
	cluster, from, to uint64
}

func (h hello) encode() []byte {
	b := make([]byte, 0, helloLen)
	b = append(b, handshakeMagic...)
	b = append(b, protocolVersion)
	b = binary.BigEndian.AppendUint64(b, h.cluster)
	b = binary.BigEndian.AppendUint64(b, h.from)
	return binary.BigEndian.AppendUint64(b, h.to)
}

// parseHello decodes a hello of exactly helloLen bytes.
func parseHello(b []byte) (hello, error) {
	if len(b) != helloLen || string(b[:4]) != handshakeMagic {
		return hello{}, fmt.Errorf("parse hello %q: %w", b, ErrBadHandshake)
	}
	if v := b[4]; v != protocolVersion {
		return hello{}, fmt.Errorf("parse hello: protocol version %d, want %d: %w", v, protocolVersion, ErrBadHandshake)
	}
	return hello{
		cluster: binary.BigEndian.Uint64(b[5:]),
		from:    binary.BigEndian.Uint64(b[13:]),
		to:      binary.BigEndian.Uint64(b[21:]),
	}, nil
}

// replyErrors is the one table between handshake reply bytes and errors:
// the accepting side sends the byte for the error it rejected the hello
// with, and the dialing side maps the byte back.
var replyErrors = [...]error{
	replyOK:              nil,
	replyClusterMismatch: ErrClusterMismatch,
	replyWrongMember:     ErrWrongMember,
	replyBadHandshake:    ErrBadHandshake,
}

// replyFor returns the reply byte for the outcome of checking a hello.
func replyFor(err error) byte {
	if err == nil {
		return replyOK
	}
	for i, e := range replyErrors {
		if e != nil && errors.Is(err, e) {
			return byte(i)
		}
	}
	return replyBadHandshake
}

// replyError returns the error a reply byte stands for, nil for accepted.
func replyError(b byte) error {
	if int(b) < len(replyErrors) {
		return replyErrors[b]
	}
	return fmt.Errorf("unknown handshake reply %d: %w", b, ErrBadHandshake)
}

// check returns why the member (id, cluster) must reject h, or nil.
func (h hello) check(id, cluster uint64) error {
	if h.cluster != cluster {
		return fmt.Errorf("peer %d is in cluster %x, this member in %x: %w", h.from, h.cluster, cluster, ErrClusterMismatch)
	}
	if h.to != id {
		return fmt.Errorf("peer %d addressed member %d, this is member %d: %w", h.from, h.to, id, ErrWrongMember)
	}
	return nil
}
