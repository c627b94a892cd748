package jute

import (
	"errors"
	"reflect"
	"testing"
)

// Every request of recordCases decodes through DecodeRequest to its own
// type.
func TestDecodeRequest(t *testing.T) {
	seen := map[OpCode]bool{}
	for _, tt := range recordCases {
		want, ok := tt.rec.(Request)
		if !ok {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			seen[want.Op()] = true
			got, err := DecodeRequest(RequestHeader{Xid: 1, Type: want.Op()}, unhex(t, tt.hex))
			if err != nil {
				t.Fatalf("DecodeRequest: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeRequest = %#v, want %#v", got, want)
			}
		})
	}
	// The opcodes the issue lists, all served and all covered above.
	served := []OpCode{
		OpCreate, OpDelete, OpExists, OpGetData, OpSetData, OpGetACL, OpSetACL, OpGetChildren, OpSync,
		OpPing, OpGetChildren2, OpCheck, OpMulti, OpCreate2, OpCheckWatches, OpRemoveWatches,
		OpCreateContainer, OpDeleteContainer, OpCreateTTL, OpMultiRead, OpAuth, OpSetWatches,
		OpGetEphemerals, OpGetAllChildrenNumber, OpSetWatches2, OpAddWatch, OpWhoAmI, OpCloseSession,
	}
	for _, op := range served {
		if r := newRequest(op); r == nil || r.Op() != op {
			t.Errorf("newRequest(%v) = %T", op, r)
		}
		if !seen[op] {
			t.Errorf("no encoding case for %v", op)
		}
	}
}

func TestDecodeRequestUnknownOp(t *testing.T) {
	for _, op := range []OpCode{OpNotification, OpReconfig, OpSASL, OpCreateSession, OpError, 10, 999, -1000} {
		req, err := DecodeRequest(RequestHeader{Xid: 1, Type: op}, nil)
		var uo *UnknownOpError
		if req != nil || !errors.As(err, &uo) || uo.Op != op || !errors.Is(err, ErrUnknownOp) {
			t.Errorf("DecodeRequest(%v) = %v, %v; want an UnknownOpError", op, req, err)
		}
	}
	_, err := DecodeRequest(RequestHeader{Type: OpReconfig}, nil)
	if want := "jute: opcode 16 (reconfig) not served"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDecodeRequestMalformed(t *testing.T) {
	_, err := DecodeRequest(RequestHeader{Xid: 3, Type: OpSetData}, unhex(t, `00000002 2f61 00000009 78`))
	var de *DecodeError
	if !errors.As(err, &de) || de.Record != "SetDataRequest" || de.Field != "data" || !errors.Is(err, ErrLength) {
		t.Errorf("DecodeRequest = %v, want SetDataRequest.data ErrLength", err)
	}
}

func TestCutRequestHeader(t *testing.T) {
	hdr, body, err := CutRequestHeader(unhex(t, `00000005 00000004 00000002 2f61 01`))
	if err != nil || hdr != (RequestHeader{Xid: 5, Type: OpGetData}) || len(body) != 7 {
		t.Fatalf("CutRequestHeader = %+v, %x, %v", hdr, body, err)
	}
	if _, _, err := CutRequestHeader(unhex(t, `00000005 0000`)); !errors.Is(err, ErrTruncated) {
		t.Errorf("CutRequestHeader of 6 bytes: %v, want ErrTruncated", err)
	}
}
