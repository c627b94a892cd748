package jute

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

func TestFrameReader(t *testing.T) {
	tests := []struct {
		name   string
		hex    string
		max    int
		bodies []string // the bodies Next returns, in hex
		err    error    // what Next returns after them
		length int32    // for a *FrameSizeError: the length it reports
	}{
		{"two frames then a clean end", `00000002 aabb 00000000 00000001 cc`, 16, []string{"aabb", "", "cc"}, io.EOF, 0},
		{"frame of exactly the limit", `00000004 01020304`, 4, []string{"01020304"}, io.EOF, 0},
		{"nothing at all", ``, 16, nil, io.EOF, 0},
		{"prefix cut short", `00000002 aabb 0000`, 16, []string{"aabb"}, io.ErrUnexpectedEOF, 0},
		{"body cut short", `00000003 aabb`, 16, nil, io.ErrUnexpectedEOF, 0},
		{"one byte over the limit", `00000005 0102030405`, 4, nil, ErrFrameSize, 5},
		{"negative length", `ffffffff 00`, 16, nil, ErrFrameSize, -1},
		{"most negative length", `80000000`, 16, nil, ErrFrameSize, -1 << 31},
		{"over ZooKeeper's default jute.maxbuffer", `00100000`, DefaultMaxBuffer, nil, ErrFrameSize, 0x100000},
		{"a four-letter word", `72756f6b`, DefaultMaxBuffer, nil, ErrFrameSize, 0x72756f6b},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := bytes.NewReader(unhex(t, tt.hex))
			fr := NewFrameReader(in, tt.max)
			for _, want := range tt.bodies {
				body, err := fr.Next()
				if err != nil || !bytes.Equal(body, unhex(t, want)) {
					t.Fatalf("Next = %x, %v; want %s", body, err, want)
				}
			}
			body, err := fr.Next()
			if body != nil || !errors.Is(err, tt.err) {
				t.Fatalf("Next = %x, %v; want %v", body, err, tt.err)
			}
			var fe *FrameSizeError
			if errors.As(err, &fe) {
				if fe.Length != tt.length || fe.Max != tt.max {
					t.Errorf("FrameSizeError = %+v, want length %d max %d", fe, tt.length, tt.max)
				}
				if in.Len() != len(unhex(t, tt.hex))-4 {
					t.Errorf("Next read %d bytes past the refused prefix", len(unhex(t, tt.hex))-4-in.Len())
				}
			}
		})
	}
}

// Frames up to reusedFrameLen share one buffer; a bigger one gets its own,
// which the reader does not keep.
func TestFrameReaderBuffers(t *testing.T) {
	big := make([]byte, reusedFrameLen+1)
	big[len(big)-1] = 7
	var in []byte
	in = AppendFrame(in, &PathResponse{Path: "/a"})
	in = append(appendInt32(in, int32(len(big))), big...)
	in = AppendFrame(in, &PathResponse{Path: "/b"})
	fr := NewFrameReader(bytes.NewReader(in), DefaultMaxBuffer)

	first, _ := fr.Next()
	body, err := fr.Next()
	if err != nil || !bytes.Equal(body, big) {
		t.Fatalf("Next of the big frame: %d bytes, %v", len(body), err)
	}
	if cap(fr.buf) > reusedFrameLen {
		t.Errorf("reader kept a %d-byte buffer", cap(fr.buf))
	}
	third, err := fr.Next()
	if err != nil || string(third) != "\x00\x00\x00\x02/b" || &first[0] != &third[0] {
		t.Errorf("Next of the third frame = %q, %v; want it in the first frame's buffer", third, err)
	}
}

func TestAppendFrames(t *testing.T) {
	prefix := []byte{0xee}
	tests := []struct {
		name string
		got  []byte
		hex  string
	}{
		{"reply with a body", AppendReply(prefix, ReplyHeader{Xid: 1, Zxid: 2}, &PathResponse{Path: "/a"}),
			`ee 00000016  00000001 00000000 00000002 00000000  00000002 2f61`},
		{"reply without a body", AppendReply(prefix, ReplyHeader{Xid: 1, Zxid: 2, Err: CodeNoNode}, nil),
			`ee 00000010  00000001 00000000 00000002 ffffff9b`},
		{"notification", AppendReply(prefix, ReplyHeader{Xid: XidNotification, Zxid: -1},
			&WatcherEvent{Type: EventNodeDeleted, State: StateSyncConnected, Path: "/a"}),
			`ee 0000001e  ffffffff ffffffff ffffffff 00000000  00000002 00000003 00000002 2f61`},
		{"ping", AppendRequest(prefix, RequestHeader{Xid: XidPing, Type: OpPing}, nil),
			`ee 00000008  fffffffe 0000000b`},
		{"handshake", AppendFrame(prefix, &ConnectResponse{TimeOut: 4000, SessionID: 1, Passwd: []byte{}}),
			`ee 00000014  00000000 00000fa0 00000000 00000001 00000000`},
	}
	for _, tt := range tests {
		if want := unhex(t, tt.hex); !bytes.Equal(tt.got, want) {
			t.Errorf("%s =\n%x\nwant\n%x", tt.name, tt.got, want)
		}
	}
}

// A client's stream of requests comes back through FrameReader,
// CutRequestHeader and DecodeRequest as it went in.
func TestRequestStream(t *testing.T) {
	reqs := []Request{
		&GetDataRequest{PathWatchRequest{Path: "/a", Watch: true}},
		&PingRequest{},
		&MultiRequest{Ops: []Request{&DeleteRequest{PathVersionRequest{Path: "/a", Version: 1}}}},
	}
	var stream []byte
	stream = AppendFrame(stream, &ConnectRequest{TimeOut: 3000, Passwd: []byte{}, HasReadOnly: true})
	for i, r := range reqs {
		stream = AppendRequest(stream, RequestHeader{Xid: int32(i + 1), Type: r.Op()}, r)
	}
	fr := NewFrameReader(bytes.NewReader(stream), DefaultMaxBuffer)
	frame, err := fr.Next()
	var conn ConnectRequest
	if err != nil || Decode(frame, &conn) != nil || conn.TimeOut != 3000 {
		t.Fatalf("connect frame: %+v, %v", conn, err)
	}
	for i, want := range reqs {
		frame, err := fr.Next()
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		hdr, body, err := CutRequestHeader(frame)
		if err != nil || hdr.Xid != int32(i+1) {
			t.Fatalf("CutRequestHeader = %+v, %v", hdr, err)
		}
		got, err := DecodeRequest(hdr, body)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("request %d = %#v, %v; want %#v", i, got, err, want)
		}
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Errorf("Next at the end = %v, want io.EOF", err)
	}
}
