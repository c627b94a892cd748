package jute

import "fmt"

// MultiRequest is the body of multi: write operations applied atomically.
// On the wire each operation is a MultiHeader (its opcode, done=false,
// err=-1) and its request; a header with done=true ends the list.
//
// For example, a multi of check("/a", 3) and delete("/b", -1) is:
//
//	00 00 00 0d  00  ff ff ff ff   header: check, not done, err -1
//	00 00 00 02 2f 61  00 00 00 03 CheckVersionRequest{"/a", 3}
//	00 00 00 02  00  ff ff ff ff   header: delete
//	00 00 00 02 2f 62  ff ff ff ff DeleteRequest{"/b", -1}
//	ff ff ff ff  01  ff ff ff ff   header: done
type MultiRequest struct {
	// Ops are *CreateRequest, *Create2Request, *CreateContainerRequest,
	// *CreateTTLRequest, *DeleteRequest, *SetDataRequest or
	// *CheckVersionRequest; decoding refuses any other with ErrMultiOp.
	Ops []Request
}

// Op implements Request.
func (*MultiRequest) Op() OpCode { return OpMulti }

// Append implements Record.
func (r *MultiRequest) Append(b []byte) []byte {
	for _, op := range r.Ops {
		h := MultiHeader{Type: op.Op(), Err: -1}
		b = op.Append(h.Append(b))
	}
	return multiDone.Append(b)
}

func (r *MultiRequest) decode(d *decoder) { r.Ops = d.ops(multiWriteOp) }

// MultiReadRequest is the body of multiRead: reads answered from one view
// of the tree, laid out as MultiRequest is.
type MultiReadRequest struct {
	// Ops are *GetChildrenRequest or *GetDataRequest (whose Watch the
	// stock client leaves false); decoding refuses any other.
	MultiRequest
}

// Op implements Request.
func (*MultiReadRequest) Op() OpCode { return OpMultiRead }

func (r *MultiReadRequest) decode(d *decoder) { r.Ops = d.ops(multiReadOp) }

func multiWriteOp(op OpCode) bool {
	switch op {
	case OpCreate, OpCreate2, OpCreateContainer, OpCreateTTL, OpDelete, OpSetData, OpCheck:
		return true
	}
	return false
}

func multiReadOp(op OpCode) bool { return op == OpGetChildren || op == OpGetData }

// ops decodes the operations of a multi body, accepting those allowed.
func (d *decoder) ops(allowed func(OpCode) bool) []Request {
	var ops []Request
	d.multi("ops", func(h *MultiHeader) error {
		op := newRequest(h.Type)
		if op == nil || !allowed(h.Type) {
			return fmt.Errorf("%w: %v", ErrMultiOp, h.Type)
		}
		op.decode(d)
		ops = append(ops, op)
		return nil
	})
	return ops
}

// multi reads a MultiHeader-framed list, calling item after each header
// until a header has done set. item decodes what follows the header, or
// refuses the header with an error. Every header takes 9 bytes, so the
// list is bounded by the input.
func (d *decoder) multi(field string, item func(*MultiHeader) error) {
	for i := 0; d.err == nil; i++ {
		start := d.off
		var h MultiHeader
		h.decode(d)
		if d.err == nil && h.Done {
			return
		}
		if d.err == nil {
			if err := item(&h); err != nil {
				d.off = start
				d.fail("type", err)
			}
		}
		if d.err != nil {
			d.nest(fmt.Sprintf("%s[%d]", field, i))
		}
	}
}

// OpResult is one result of a multi or multiRead.
type OpResult struct {
	// Op is the operation's opcode (OpCreate for a create whose caller
	// wants no Stat, OpCreate2 for create2, createContainer and createTTL)
	// or OpError.
	Op OpCode
	// Err is the failure with OpError. When a multi fails, every result
	// is an error: CodeOK before the failing operation, its code at it,
	// CodeRuntimeInconsistency after it.
	Err Code
	// Body is the response Op calls for: *PathResponse (create),
	// *Create2Response (create2), *StatResponse (setData),
	// *GetChildrenResponse (getChildren), *GetDataResponse (getData); nil
	// for delete, check and errors.
	Body Record
}

// MultiResponse answers multi and multiRead, one result per operation.
// Its ReplyHeader has CodeOK even when an operation failed.
type MultiResponse struct {
	Results []OpResult
}

// Append implements Record.
func (r *MultiResponse) Append(b []byte) []byte {
	for i := range r.Results {
		res := &r.Results[i]
		h := MultiHeader{Type: res.Op}
		if res.Op == OpError {
			h.Err = res.Err
			b = appendInt32(h.Append(b), int32(res.Err))
			continue
		}
		b = h.Append(b)
		if res.Body != nil {
			b = res.Body.Append(b)
		}
	}
	return multiDone.Append(b)
}

func (r *MultiResponse) decode(d *decoder) {
	r.Results = nil
	d.multi("results", func(h *MultiHeader) error {
		res := OpResult{Op: h.Type}
		switch h.Type {
		case OpCreate:
			res.Body = new(PathResponse)
		case OpCreate2:
			res.Body = new(Create2Response)
		case OpSetData:
			res.Body = new(StatResponse)
		case OpGetChildren:
			res.Body = new(GetChildrenResponse)
		case OpGetData:
			res.Body = new(GetDataResponse)
		case OpError:
			res.Err = Code(d.int32("err"))
		case OpDelete, OpCheck:
		default:
			return fmt.Errorf("%w: result of %v", ErrMultiOp, h.Type)
		}
		if res.Body != nil {
			res.Body.decode(d)
		}
		r.Results = append(r.Results, res)
		return nil
	})
}
