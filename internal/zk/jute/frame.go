package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxBuffer is ZooKeeper's default jute.maxbuffer, 0xfffff bytes
// (1 MiB - 1): the largest frame body (the length prefix excluded) its
// server accepts, and the largest its Java client accepts.
const DefaultMaxBuffer = 0xfffff

// ErrFrameSize means a frame's length prefix is negative or above the
// limit; see FrameSizeError.
var ErrFrameSize = errors.New("jute: frame length out of range")

// FrameSizeError reports a refused length prefix. Length holds the four
// bytes as read, so a server can tell a four-letter word ("ruok" reads as
// 0x72756f6b) from a bad frame on a connection's first read.
type FrameSizeError struct {
	Length int32
	Max    int
}

func (e *FrameSizeError) Error() string {
	return fmt.Sprintf("jute: frame length %d out of range [0, %d] (jute.maxbuffer)", e.Length, e.Max)
}

func (e *FrameSizeError) Unwrap() error { return ErrFrameSize }

// reusedFrameLen is the largest frame body a FrameReader reads into its
// reused buffer; larger ones get a buffer of their own, so one big write
// does not pin its size for the life of the connection.
const reusedFrameLen = 64 << 10

// FrameReader reads length-prefixed frames from one connection. It is not
// safe for concurrent use; the connection's reader goroutine owns it.
type FrameReader struct {
	r      io.Reader
	max    int
	prefix [4]byte
	buf    []byte
}

// NewFrameReader returns a FrameReader that refuses frame bodies longer
// than maxBuffer bytes (use DefaultMaxBuffer for ZooKeeper's default). It
// reads r with io.ReadFull; wrap a bare connection in a bufio.Reader.
func NewFrameReader(r io.Reader, maxBuffer int) *FrameReader {
	return &FrameReader{r: r, max: maxBuffer}
}

// Next reads the next frame and returns its body, which stays valid until
// the next call. It returns io.EOF at a clean end between frames,
// io.ErrUnexpectedEOF for a stream that ends inside a frame, and a
// *FrameSizeError, without reading the body, for a negative or oversized
// length.
func (fr *FrameReader) Next() ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.prefix[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(fr.prefix[:]))
	if n < 0 || int64(n) > int64(fr.max) {
		return nil, &FrameSizeError{Length: n, Max: fr.max}
	}
	body := fr.body(int(n))
	if _, err := io.ReadFull(fr.r, body); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("jute: read frame body of %d bytes: %w", n, err)
	}
	return body, nil
}

// body returns a slice of length n to read a frame body into.
func (fr *FrameReader) body(n int) []byte {
	if n <= cap(fr.buf) {
		return fr.buf[:n]
	}
	if n > reusedFrameLen {
		return make([]byte, n)
	}
	fr.buf = make([]byte, n, min(max(n, 2*cap(fr.buf), 512), reusedFrameLen))
	return fr.buf
}

// AppendFrame appends a frame holding r alone (the connect handshake
// records) to b.
func AppendFrame(b []byte, r Record) []byte {
	start, b := beginFrame(b)
	return endFrame(r.Append(b), start)
}

// AppendRequest appends a request frame: hdr, then req unless req is nil.
func AppendRequest(b []byte, hdr RequestHeader, req Record) []byte {
	start, b := beginFrame(b)
	return endFrame(appendBody(hdr.Append(b), req), start)
}

// AppendReply appends a reply or notification frame: hdr, then resp
// unless resp is nil. ZooKeeper sends no body with a non-zero hdr.Err (a
// failed multi is answered with CodeOK and the errors in its
// MultiResponse). A server reuses b across replies
// (b = AppendReply(b[:0], ...)) and writes it once per batch; resp does
// not escape if the caller reuses it too.
func AppendReply(b []byte, hdr ReplyHeader, resp Record) []byte {
	start, b := beginFrame(b)
	return endFrame(appendBody(hdr.Append(b), resp), start)
}

func appendBody(b []byte, r Record) []byte {
	if r == nil {
		return b
	}
	return r.Append(b)
}

// beginFrame reserves the length prefix of a frame starting at len(b).
func beginFrame(b []byte) (int, []byte) { return len(b), append(b, 0, 0, 0, 0) }

// endFrame fills in the length prefix of the frame that starts at start.
func endFrame(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}
