package jute

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// The fuzz targets check that decoding never panics and that whatever
// decodes is stable: decode -> encode -> decode gives the same value, and
// encoding that value again gives the same bytes. Their corpora are in
// testdata/fuzz; the seeds below come from the hand-computed cases.

// checkStable re-encodes a decoded record and checks the round trip.
func checkStable(t *testing.T, r Record, decode func([]byte) (Record, error)) {
	t.Helper()
	b := r.Append(nil)
	again, err := decode(b)
	if err != nil {
		t.Fatalf("decoding the re-encoded %T %x: %v", r, b, err)
	}
	if !reflect.DeepEqual(again, r) {
		t.Fatalf("round trip changed %T:\n%#v\n%#v", r, r, again)
	}
	if b2 := again.Append(nil); !bytes.Equal(b, b2) {
		t.Fatalf("encoding %T is not stable:\n%x\n%x", r, b, b2)
	}
}

// decodeInto returns a decode function for records of r's type.
func decodeInto(r Record) func([]byte) (Record, error) {
	return func(b []byte) (Record, error) {
		again := zeroOf(r)
		return again, Decode(b, again)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, c := range recordCases {
		if r, ok := c.rec.(Request); ok {
			f.Add(int32(r.Op()), unhex(f, c.hex))
		}
	}
	f.Add(int32(OpCreate), unhex(f, `00000002 2f61 ffffffff 7fffffff`))
	f.Add(int32(OpReconfig), []byte{})
	f.Fuzz(func(t *testing.T, op int32, body []byte) {
		hdr := RequestHeader{Xid: 1, Type: OpCode(op)}
		req, err := DecodeRequest(hdr, body)
		if err != nil {
			return
		}
		if req.Op() != hdr.Type {
			t.Fatalf("DecodeRequest(%v) returned a %T", hdr.Type, req)
		}
		checkStable(t, req, func(b []byte) (Record, error) { return DecodeRequest(hdr, b) })
	})
}

func FuzzConnectRequest(f *testing.F) {
	for _, c := range recordCases {
		switch c.rec.(type) {
		case *ConnectRequest, *ConnectResponse:
			f.Add(unhex(f, c.hex))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, r := range []Record{&ConnectRequest{}, &ConnectResponse{}} {
			if Decode(body, r) == nil {
				checkStable(t, r, decodeInto(r))
			}
		}
	})
}

// FuzzMulti decodes the input as the three multi records.
func FuzzMulti(f *testing.F) {
	for _, c := range recordCases {
		switch c.rec.(type) {
		case *MultiRequest, *MultiReadRequest, *MultiResponse:
			f.Add(unhex(f, c.hex))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, r := range []Record{&MultiRequest{}, &MultiReadRequest{}, &MultiResponse{}} {
			if Decode(body, r) == nil {
				checkStable(t, r, decodeInto(r))
			}
		}
	})
}

// FuzzFrameReader reads a connection's worth of frames: a handshake, then
// requests, as a server would.
func FuzzFrameReader(f *testing.F) {
	var stream []byte
	stream = AppendFrame(stream, &ConnectRequest{TimeOut: 3000, Passwd: []byte{}, HasReadOnly: true})
	for _, c := range recordCases {
		if r, ok := c.rec.(Request); ok {
			stream = AppendRequest(stream, RequestHeader{Xid: 1, Type: r.Op()}, r)
		}
	}
	f.Add(stream)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add(binary.BigEndian.AppendUint32(nil, 4097))
	f.Add([]byte("ruok"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFrameReader(bytes.NewReader(data), 4096)
		frame, err := fr.Next()
		if err != nil {
			return
		}
		if len(frame) > 4096 {
			t.Fatalf("frame of %d bytes passed a 4096-byte limit", len(frame))
		}
		var conn ConnectRequest
		if Decode(frame, &conn) == nil {
			checkStable(t, &conn, decodeInto(&conn))
		}
		for frame, err = fr.Next(); err == nil; frame, err = fr.Next() {
			if hdr, body, err := CutRequestHeader(frame); err == nil {
				if req, err := DecodeRequest(hdr, body); err == nil {
					checkStable(t, req, func(b []byte) (Record, error) { return DecodeRequest(hdr, b) })
				}
			}
		}
	})
}
