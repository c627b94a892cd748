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
// and a Stat into a reused buffer, from a reused response and from one
// built per reply (which escapes to the heap through the Record
// interface).
func BenchmarkEncodeGetDataReply(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 128)
	hdr := ReplyHeader{Xid: 42, Zxid: 1 << 32}
	var buf []byte
	b.Run("reused response", func(b *testing.B) {
		resp := &GetDataResponse{Data: data, Stat: testStat}
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendReply(buf[:0], hdr, resp)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("response per reply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = AppendReply(buf[:0], hdr, &GetDataResponse{Data: data, Stat: testStat})
		}
		b.SetBytes(int64(len(buf)))
	})
}
