package transport

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"go.etcd.io/raft/v3/raftpb"
)

// frameHeaderLen is the size of a frame's length prefix.
const frameHeaderLen = 4

// reusedBodyLen is the largest frame body a frameReader decodes from its
// reused buffer; larger bodies (snapshots, big appends) get a buffer of their
// own that is dropped after decoding, so one snapshot does not pin its size
// in memory for the life of the stream.
const reusedBodyLen = 64 << 10

// appendFrame appends the frame of m, whose encoded size is size (m.Size()),
// to buf. The caller has checked size against the frame limit.
func appendFrame(buf []byte, m *raftpb.Message, size int) ([]byte, error) {
	buf = binary.BigEndian.AppendUint32(buf, uint32(size))
	start := len(buf)
	buf = slices.Grow(buf, size)[:start+size]
	if _, err := m.MarshalToSizedBuffer(buf[start:]); err != nil {
		return buf[:start-frameHeaderLen], fmt.Errorf("transport: encode %v to %d: %w", m.Type, m.To, err)
	}
	return buf, nil
}

// frameReader decodes the frames of one inbound stream. It is owned by that
// stream's reader goroutine.
type frameReader struct {
	r   *bufio.Reader
	max int
	hdr [frameHeaderLen]byte
	buf []byte // reused for bodies up to reusedBodyLen
}

func newFrameReader(r io.Reader, maxFrame int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, reusedBodyLen), max: maxFrame}
}

// next decodes the next frame into m, which must be zero. It returns io.EOF
// at a clean end of stream between frames, an error wrapping
// ErrFrameTooLarge before reading the body of an oversized frame, and
// io.ErrUnexpectedEOF if the stream ends inside a frame.
func (fr *frameReader) next(m *raftpb.Message) error {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:])
	if uint64(n) > uint64(fr.max) {
		return fmt.Errorf("read frame of %d bytes, limit %d: %w", n, fr.max, ErrFrameTooLarge)
	}
	body := fr.body(int(n))
	if _, err := io.ReadFull(fr.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read frame body of %d bytes: %w", n, err)
	}
	// Unmarshal copies every byte field, so body may be reused afterwards.
	if err := m.Unmarshal(body); err != nil {
		return fmt.Errorf("transport: decode frame of %d bytes: %w", n, err)
	}
	return nil
}

// body returns a buffer of length n to read a frame body into.
func (fr *frameReader) body(n int) []byte {
	if n > reusedBodyLen {
		return make([]byte, n)
	}
	if cap(fr.buf) < n {
		fr.buf = make([]byte, reusedBodyLen)
	}
	return fr.buf[:n]
}
