package zk_test

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/zk"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/test/cluster"
)

// rawClient speaks the protocol frame by frame, so that tests see exactly
// what the server sends, in order.
type rawClient struct {
	t   *testing.T
	nc  net.Conn
	fr  *jute.FrameReader
	xid int32
}

// frame is one frame the server sent after the handshake.
type frame struct {
	hdr  jute.ReplyHeader
	body []byte
}

// dialRaw opens a TCP connection, closed when t ends.
func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawClient{t: t, nc: nc, fr: jute.NewFrameReader(bufio.NewReader(nc), 8<<20)}
}

// connect sends a ConnectRequest and returns the response; ok is false
// when the server closed the connection instead.
func (c *rawClient) connect(req jute.ConnectRequest) (resp jute.ConnectResponse, ok bool) {
	c.t.Helper()
	c.write(jute.AppendFrame(nil, &req))
	body, err := c.fr.Next()
	if err != nil {
		return resp, false
	}
	if err := jute.Decode(body, &resp); err != nil {
		c.t.Fatalf("decode ConnectResponse: %v", err)
	}
	return resp, true
}

// session opens a new session with the timeout asked for.
func (c *rawClient) session(timeout time.Duration) jute.ConnectResponse {
	c.t.Helper()
	resp, ok := c.connect(jute.ConnectRequest{TimeOut: int32(timeout / time.Millisecond), Passwd: make([]byte, 16), HasReadOnly: true})
	if !ok || resp.SessionID == 0 {
		c.t.Fatalf("connect: %+v, ok %v", resp, ok)
	}
	return resp
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// send sends a request with the next xid and returns the xid.
func (c *rawClient) send(req jute.Request) int32 {
	c.t.Helper()
	c.xid++
	c.write(jute.AppendRequest(nil, jute.RequestHeader{Xid: c.xid, Type: req.Op()}, req))
	return c.xid
}

// next reads the next frame; ok is false when the server closed the
// connection.
func (c *rawClient) next() (frame, bool) {
	c.t.Helper()
	body, err := c.fr.Next()
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !isReset(err) {
			c.t.Fatalf("read: %v", err)
		}
		return frame{}, false
	}
	var f frame
	if err := jute.Decode(body, &f.hdr); err != nil {
		c.t.Fatalf("decode ReplyHeader: %v", err)
	}
	f.body = append([]byte(nil), body[16:]...)
	return f, true
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}

// call sends req and reads frames up to its reply, which it returns with
// the notifications that came before it.
func (c *rawClient) call(req jute.Request) (reply frame, before []jute.WatcherEvent) {
	c.t.Helper()
	xid := c.send(req)
	for {
		f, ok := c.next()
		if !ok {
			c.t.Fatalf("connection closed waiting for the reply to %v", req.Op())
		}
		if f.hdr.Xid == jute.XidNotification {
			before = append(before, c.event(f))
			continue
		}
		if f.hdr.Xid != xid {
			c.t.Fatalf("reply xid %d, want %d", f.hdr.Xid, xid)
		}
		return f, before
	}
}

// ok calls req, checks its code and decodes the body into resp (if any).
func (c *rawClient) ok(req jute.Request, want jute.Code, resp jute.Record) frame {
	c.t.Helper()
	f, _ := c.call(req)
	if f.hdr.Err != want {
		c.t.Fatalf("%v: code %v, want %v", req.Op(), f.hdr.Err, want)
	}
	if resp != nil && want == jute.CodeOK {
		if err := jute.Decode(f.body, resp); err != nil {
			c.t.Fatalf("%v: decode reply: %v", req.Op(), err)
		}
	}
	return f
}

// event decodes a notification.
func (c *rawClient) event(f frame) jute.WatcherEvent {
	c.t.Helper()
	var ev jute.WatcherEvent
	if err := jute.Decode(f.body, &ev); err != nil {
		c.t.Fatalf("decode WatcherEvent: %v", err)
	}
	return ev
}

// nextEvent reads the next frame, which must be a notification.
func (c *rawClient) nextEvent() jute.WatcherEvent {
	c.t.Helper()
	f, ok := c.next()
	if !ok || f.hdr.Xid != jute.XidNotification {
		c.t.Fatalf("want a notification, got %+v (open %v)", f.hdr, ok)
	}
	return c.event(f)
}

// closed checks that the server closes the connection without sending
// anything more.
func (c *rawClient) closed() {
	c.t.Helper()
	if f, ok := c.next(); ok {
		c.t.Fatalf("want the connection closed, got %+v", f.hdr)
	}
}

var openACL = []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

func createReq(path string, data string, mode jute.CreateMode) *jute.CreateRequest {
	return &jute.CreateRequest{Path: path, Data: []byte(data), ACL: openACL, Flags: mode}
}

// member stands for the member in front ends the tests start themselves.
type member struct{}

func (member) Status() zk.MemberStatus { return zk.MemberStatus{Mode: "standalone", Members: 1, ID: 7} }

// frontEnd starts a front end of its own, configured by cfg's changes, on
// member 0 of c, and returns its address; it is closed when t ends.
func frontEnd(t *testing.T, c *cluster.InProc, change func(*config.ZooKeeper)) string {
	t.Helper()
	cfg := config.DefaultZooKeeper()
	change(&cfg)
	s := zk.New(cfg, c.Server(0).ZooKeeper(), member{}, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Serve(ln); !errors.Is(err, zk.ErrClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	t.Cleanup(func() {
		s.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}
