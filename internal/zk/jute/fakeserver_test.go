package jute

import (
	"bufio"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The session a fakeServer hands out.
const (
	fakeSession = 0x0123456789abcdef
	fakeTimeout = 3000 // ms; real clients ping every timeout/3
)

var fakePasswd = []byte("0123456789abcdef")

// seenFrame is one frame a fakeServer decoded.
type seenFrame struct {
	hdr RequestHeader // zero for a ConnectRequest
	req Record        // *ConnectRequest or a Request; nil if err
	err error         // the decoding error
}

// fakeServer is a ZooKeeper stand-in for compatibility tests: it decodes
// every frame a real client sends with this package, records it, and
// answers with this package's encoder (see answer). It owns one accept
// goroutine and one goroutine per connection; stop ends them all.
type fakeServer struct {
	ln    net.Listener
	seen  chan seenFrame
	zxid  atomic.Int64 // of the last reply
	pings atomic.Int32

	mu     sync.Mutex // protects the following fields
	conns  map[net.Conn]bool
	closed bool

	wg sync.WaitGroup
}

func startFakeServer(t testing.TB) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &fakeServer{ln: ln, seen: make(chan seenFrame, 1000), conns: map[net.Conn]bool{}}
	s.zxid.Store(100)
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.stop)
	return s
}

func (s *fakeServer) addr() string { return s.ln.Addr().String() }

func (s *fakeServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = true
		s.wg.Add(1)
		go s.serve(conn)
		s.mu.Unlock()
	}
}

// stop closes the listener and every connection and waits for the
// server's goroutines.
func (s *fakeServer) stop() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ln.Close()
	s.dropConns()
	s.wg.Wait()
}

// dropConns closes the open connections, as a failing server would.
func (s *fakeServer) dropConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
}

func (s *fakeServer) serve(conn net.Conn) {
	defer s.wg.Done()
	defer conn.Close()
	fr := NewFrameReader(bufio.NewReader(conn), DefaultMaxBuffer)
	frame, err := fr.Next()
	if err != nil {
		return
	}
	var creq ConnectRequest
	err = Decode(frame, &creq)
	s.seen <- seenFrame{req: &creq, err: err}
	if err != nil {
		return
	}
	resp := ConnectResponse{TimeOut: fakeTimeout, SessionID: fakeSession, Passwd: fakePasswd, HasReadOnly: creq.HasReadOnly}
	if _, err := conn.Write(AppendFrame(nil, &resp)); err != nil {
		return
	}
	var out []byte
	for {
		frame, err := fr.Next()
		if err != nil {
			return
		}
		hdr, body, err := CutRequestHeader(frame)
		if err != nil {
			return
		}
		req, err := DecodeRequest(hdr, body)
		out = s.reply(out[:0], hdr, req, err)
		if _, err := conn.Write(out); err != nil || hdr.Type == OpCloseSession {
			return
		}
		if req != nil && pathOf(req) == "/drop" {
			return
		}
	}
}

// reply records a request and appends its answer to out, as ZooKeeper
// would: UNIMPLEMENTED for an opcode it does not serve, MARSHALLINGERROR
// for a body it cannot decode.
func (s *fakeServer) reply(out []byte, hdr RequestHeader, req Request, err error) []byte {
	if _, ping := req.(*PingRequest); ping {
		s.pings.Add(1)
		return AppendReply(out, ReplyHeader{Xid: hdr.Xid, Zxid: s.zxid.Load()}, nil)
	}
	s.seen <- seenFrame{hdr: hdr, req: req, err: err}
	rh := ReplyHeader{Xid: hdr.Xid, Zxid: s.zxid.Add(1)}
	switch {
	case errors.Is(err, ErrUnknownOp):
		rh.Err = CodeUnimplemented
		return AppendReply(out, rh, nil)
	case err != nil:
		rh.Err = CodeMarshallingError
		return AppendReply(out, rh, nil)
	}
	code, resp, event := answer(req)
	rh.Err = code
	out = AppendReply(out, rh, resp)
	if event != nil {
		out = AppendReply(out, ReplyHeader{Xid: XidNotification, Zxid: -1}, event)
	}
	return out
}

// next returns the next frame the server decoded, pings aside.
func (s *fakeServer) next(t testing.TB) seenFrame {
	t.Helper()
	select {
	case f := <-s.seen:
		return f
	case <-time.After(20 * time.Second):
		t.Fatalf("no request from the client within 20 s")
		return seenFrame{}
	}
}

// expect checks that the next frame decodes to want.
func (s *fakeServer) expect(t testing.TB, want Record) {
	t.Helper()
	s.expectReq(t, s.next(t), want)
}

// expectReq checks that f decoded to want.
func (s *fakeServer) expectReq(t testing.TB, f seenFrame, want Record) {
	t.Helper()
	if f.err != nil || !reflect.DeepEqual(f.req, want) {
		t.Errorf("server decoded %#v (%v)\nwant %#v", f.req, f.err, want)
	}
	if r, ok := want.(Request); ok && f.hdr.Type != r.Op() {
		t.Errorf("header type %v, want %v", f.hdr.Type, r.Op())
	}
}

// Paths under /missing do not exist; an operation on /fail fails a multi;
// setting /notify fires a data watch on it; the server drops the
// connection after answering a request on /drop.
const seqSuffix = "0000000007"

// answer is the fake server's reply to a request: an error code, a body
// and a watch event to send after it.
func answer(req Request) (Code, Record, *WatcherEvent) {
	if strings.HasPrefix(pathOf(req), "/missing") {
		return CodeNoNode, nil, nil
	}
	switch r := req.(type) {
	case *CreateRequest:
		return CodeOK, &PathResponse{Path: createdPath(r)}, nil
	case *Create2Request:
		return CodeOK, &Create2Response{Path: createdPath(&r.CreateRequest), Stat: testStat}, nil
	case *CreateContainerRequest:
		return CodeOK, &Create2Response{Path: createdPath(&r.CreateRequest), Stat: testStat}, nil
	case *CreateTTLRequest:
		return CodeOK, &Create2Response{Path: createdPath(&r.CreateRequest), Stat: testStat}, nil
	case *ExistsRequest, *SetACLRequest, *CheckVersionRequest:
		return CodeOK, &StatResponse{Stat: testStat}, nil
	case *SetDataRequest:
		if r.Path == "/notify" {
			return CodeOK, &StatResponse{Stat: testStat},
				&WatcherEvent{Type: EventNodeDataChanged, State: StateSyncConnected, Path: r.Path}
		}
		return CodeOK, &StatResponse{Stat: testStat}, nil
	case *GetDataRequest:
		return CodeOK, &GetDataResponse{Data: []byte("data of " + r.Path), Stat: testStat}, nil
	case *GetACLRequest:
		return CodeOK, &GetACLResponse{ACL: openACL, Stat: testStat}, nil
	case *GetChildrenRequest:
		return CodeOK, &GetChildrenResponse{Children: []string{"a", "b"}}, nil
	case *GetChildren2Request:
		return CodeOK, &GetChildren2Response{Children: []string{"a", "b"}, Stat: testStat}, nil
	case *SyncRequest:
		return CodeOK, &PathResponse{Path: r.Path}, nil
	case *MultiRequest:
		return CodeOK, multiAnswer(r.Ops), nil
	case *MultiReadRequest:
		return CodeOK, multiAnswer(r.Ops), nil
	case *AddWatchRequest:
		return CodeOK, &ErrorResponse{Err: CodeOK}, nil
	case *GetEphemeralsRequest:
		return CodeOK, &GetEphemeralsResponse{Ephemerals: []string{r.Path + "/e1"}}, nil
	case *GetAllChildrenNumberRequest:
		return CodeOK, &GetAllChildrenNumberResponse{TotalNumber: 42}, nil
	case *WhoAmIRequest:
		return CodeOK, &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}}, nil
	}
	// delete, deleteContainer, auth, setWatches(2), check/removeWatches,
	// closeSession: no body.
	return CodeOK, nil, nil
}

func createdPath(r *CreateRequest) string {
	if r.Flags.Sequential() {
		return r.Path + seqSuffix
	}
	return r.Path
}

// multiAnswer answers the operations of a multi or multiRead; if one of
// them names /fail, they all fail as ZooKeeper reports it.
func multiAnswer(ops []Request) *MultiResponse {
	resp := &MultiResponse{}
	for i, op := range ops {
		if pathOf(op) == "/fail" {
			return failedMulti(len(ops), i)
		}
		code, body, _ := answer(op)
		res := OpResult{Op: op.Op(), Err: code, Body: body}
		switch {
		case code != CodeOK:
			res = OpResult{Op: OpError, Err: code}
		case res.Op == OpCreateContainer || res.Op == OpCreateTTL:
			res.Op = OpCreate2
		case res.Op == OpCheck:
			res.Body = nil
		}
		resp.Results = append(resp.Results, res)
	}
	return resp
}

func failedMulti(n, failed int) *MultiResponse {
	resp := &MultiResponse{Results: make([]OpResult, n)}
	for i := range resp.Results {
		resp.Results[i] = OpResult{Op: OpError, Err: CodeOK}
		if i == failed {
			resp.Results[i].Err = CodeNoNode
		} else if i > failed {
			resp.Results[i].Err = CodeRuntimeInconsistency
		}
	}
	return resp
}

// pathOf returns a request's Path field, or "" if it has none.
func pathOf(r Request) string {
	if f := reflect.ValueOf(r).Elem().FieldByName("Path"); f.IsValid() {
		return f.String()
	}
	return ""
}
