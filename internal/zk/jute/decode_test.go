package jute

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// aclHex is one world:anyone ACL (23 bytes).
const aclHex = `0000001f 00000005 776f726c64 00000006 616e796f6e65`

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		rec    Record
		hex    string
		field  string
		offset int
		want   error
	}{
		{"empty input", &ConnectRequest{}, ``, "protocolVersion", 0, ErrTruncated},
		{"int cut short", &RequestHeader{}, `00000001 0000`, "type", 4, ErrTruncated},
		{"buffer longer than the input", &ConnectRequest{},
			`00000000 00000000 00000000 00000fa0 00000000 00000000 00000010 000000`, "passwd", 24, ErrLength},
		{"negative string length", &GetDataRequest{}, `fffffffe 00`, "path", 0, ErrLength},
		{"huge vector count", &CreateRequest{}, `00000002 2f61 ffffffff 7fffffff`, "acl", 10, ErrLength},
		{"negative vector count", &GetChildrenResponse{}, `fffffffe`, "children", 0, ErrLength},
		{"nested field", &CreateRequest{},
			`00000002 2f61 ffffffff 00000002 ` + aclHex + ` 0000001f 000000ff 77`, "acl[1].id.scheme", 41, ErrLength},
		{"vector element", &SetWatches{},
			`00000000 00000005 00000000 00000000 00000002 00000001 61 00000001`, "childWatches[1]", 25, ErrLength},
		{"nested Stat cut short", &GetDataResponse{},
			`00000000` + statHex[:len(statHex)-len("0000000b")], "stat.pzxid", 64, ErrTruncated},
		{"vector of records longer than the input", &WhoAmIResponse{}, `00000002 00000000 00000000`,
			"clientInfo", 0, ErrLength},
		{"read inside multi", &MultiRequest{}, `00000004 00 ffffffff 00000002 2f61 00 ffffffff 01 ffffffff`,
			"ops[0].type", 0, ErrMultiOp},
		{"write inside multiRead", &MultiReadRequest{}, `00000002 00 ffffffff 00000002 2f61 ffffffff ffffffff 01 ffffffff`,
			"ops[0].type", 0, ErrMultiOp},
		{"ping inside multi", &MultiRequest{}, `0000000b 00 ffffffff ffffffff 01 ffffffff`, "ops[0].type", 0, ErrMultiOp},
		{"multi without its done header", &MultiRequest{}, `0000000d 00 ffffffff 00000002 2f61 00000003 ffff`,
			"ops[1].type", 19, ErrTruncated},
		{"multi op cut short", &MultiRequest{}, `0000000d 00 ffffffff 00000002 2f61`, "ops[0].version", 15, ErrTruncated},
		{"unknown multi result", &MultiResponse{}, `00000063 00 00000000`, "results[0].type", 0, ErrMultiOp},
		{"multi error result cut short", &MultiResponse{}, `ffffffff 00 ffffff9b`, "results[0].err", 9, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Decode(unhex(t, tt.hex), tt.rec)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode = %v, want a *DecodeError", err)
			}
			if de.Record != recordName(tt.rec) || de.Field != tt.field || de.Offset != tt.offset || !errors.Is(err, tt.want) {
				t.Errorf("Decode = %q (%s.%s at %d), want %s.%s at %d wrapping %v",
					err, de.Record, de.Field, de.Offset, recordName(tt.rec), tt.field, tt.offset, tt.want)
			}
		})
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	err := Decode(unhex(t, `00000002 2f61 ffffffff 00000002 `+aclHex+` 0000001f 000000ff 77`), &CreateRequest{})
	want := "jute: decode CreateRequest.acl[1].id.scheme at byte 41: jute: invalid length: 255 (x 1 bytes), 1 bytes left"
	if err == nil || err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

// A length or count is checked against the input before anything is
// allocated, so a 30-byte request cannot make the decoder allocate
// gigabytes.
func TestDecodeAllocatesWithinInput(t *testing.T) {
	hostile := []struct {
		rec Record
		hex string
	}{
		{&CreateRequest{}, `00000002 2f61 7ffffff0 00000000`},
		{&CreateRequest{}, `00000002 2f61 ffffffff 7fffffff 00000000`},
		{&SetWatches2{}, `00000000 00000000 7fffffff`},
		{&GetDataRequest{}, `7fffffff 2f`},
		{&MultiRequest{}, strings.Repeat(`0000000d 00 ffffffff 00000000 00000000 `, 100)},
	}
	for _, h := range hostile {
		input := unhex(t, h.hex)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			_ = Decode(input, zeroOf(h.rec))
		}
		runtime.ReadMemStats(&after)
		if perDecode := (after.TotalAlloc - before.TotalAlloc) / 100; perDecode > 64*uint64(len(input))+1024 {
			t.Errorf("decoding %d bytes into %T allocates %d bytes", len(input), h.rec, perDecode)
		}
	}
}
