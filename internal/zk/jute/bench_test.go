package jute

import (
	"bytes"
	"testing"
)

// BenchmarkDecodeGetData takes a getData request frame apart as a server
// does: header, then the typed request.
func BenchmarkDecodeGetData(b *testing.B) {
	frame := AppendRequest(nil, RequestHeader{Xid: 42, Type: OpGetData},
		&GetDataRequest{PathWatchRequest{Path: "/services/order-service/instance-0000000042", Watch: true}})[4:]
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		hdr, body, err := CutRequestHeader(frame)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeRequest(hdr, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGetDataReply frames a getData reply with 128 bytes of data
// and a Stat into a reused buffer.
func BenchmarkEncodeGetDataReply(b *testing.B) {
	resp := &GetDataResponse{Data: bytes.Repeat([]byte("x"), 128), Stat: testStat}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendReply(buf[:0], ReplyHeader{Xid: 42, Zxid: 1 << 32}, resp)
	}
	b.SetBytes(int64(len(buf)))
}
