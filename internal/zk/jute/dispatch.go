package jute

import (
	"errors"
	"fmt"
)

// ErrUnknownOp means a request's opcode is not one this package decodes
// (notification, reconfig, sasl, createSession, error, or a number
// ZooKeeper does not define). ZooKeeper answers such a request with
// UNIMPLEMENTED and keeps the connection.
var ErrUnknownOp = errors.New("jute: unknown opcode")

// UnknownOpError is the error DecodeRequest returns for an opcode it does
// not serve; it wraps ErrUnknownOp.
type UnknownOpError struct {
	Op OpCode
}

func (e *UnknownOpError) Error() string {
	return fmt.Sprintf("jute: opcode %d (%v) not served", int32(e.Op), e.Op)
}

func (e *UnknownOpError) Unwrap() error { return ErrUnknownOp }

// DecodeRequest decodes the body of a request whose header is hdr into the
// Go type for hdr.Type: *GetDataRequest for getData, *MultiRequest for
// multi, and so on (see newRequest). It returns an *UnknownOpError for an
// opcode it does not serve and a *DecodeError for a malformed body
// (ZooKeeper answers the latter with MARSHALLINGERROR). The request does
// not alias body.
func DecodeRequest(hdr RequestHeader, body []byte) (Request, error) {
	req := newRequest(hdr.Type)
	if req == nil {
		return nil, &UnknownOpError{Op: hdr.Type}
	}
	if err := Decode(body, req); err != nil {
		return nil, err
	}
	return req, nil
}

// newRequest returns a zero request of op's type, or nil for an opcode
// that is not served.
func newRequest(op OpCode) Request {
	switch op {
	case OpCreate:
		return new(CreateRequest)
	case OpDelete:
		return new(DeleteRequest)
	case OpExists:
		return new(ExistsRequest)
	case OpGetData:
		return new(GetDataRequest)
	case OpSetData:
		return new(SetDataRequest)
	case OpGetACL:
		return new(GetACLRequest)
	case OpSetACL:
		return new(SetACLRequest)
	case OpGetChildren:
		return new(GetChildrenRequest)
	case OpSync:
		return new(SyncRequest)
	case OpPing:
		return new(PingRequest)
	case OpGetChildren2:
		return new(GetChildren2Request)
	case OpCheck:
		return new(CheckVersionRequest)
	case OpMulti:
		return new(MultiRequest)
	case OpCreate2:
		return new(Create2Request)
	case OpCheckWatches:
		return new(CheckWatchesRequest)
	case OpRemoveWatches:
		return new(RemoveWatchesRequest)
	case OpCreateContainer:
		return new(CreateContainerRequest)
	case OpDeleteContainer:
		return new(DeleteContainerRequest)
	case OpCreateTTL:
		return new(CreateTTLRequest)
	case OpMultiRead:
		return new(MultiReadRequest)
	case OpAuth:
		return new(AuthPacket)
	case OpSetWatches:
		return new(SetWatches)
	case OpGetEphemerals:
		return new(GetEphemeralsRequest)
	case OpGetAllChildrenNumber:
		return new(GetAllChildrenNumberRequest)
	case OpSetWatches2:
		return new(SetWatches2)
	case OpAddWatch:
		return new(AddWatchRequest)
	case OpWhoAmI:
		return new(WhoAmIRequest)
	case OpCloseSession:
		return new(CloseSessionRequest)
	}
	return nil
}
