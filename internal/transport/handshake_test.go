package transport

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

func TestHelloRoundTrip(t *testing.T) {
	h := hello{cluster: 0xDEADBEEF, from: 3, to: 1<<64 - 1}
	b := h.encode()
	if len(b) != helloLen {
		t.Fatalf("encoded hello is %d bytes, want %d", len(b), helloLen)
	}
	got, err := parseHello(b)
	if err != nil || got != h {
		t.Fatalf("parseHello(encode(%+v)) = %+v, %v", h, got, err)
	}
}

func TestParseHelloRejects(t *testing.T) {
	good := hello{cluster: 1, from: 2, to: 3}.encode()
	badMagic := append([]byte("HTTP"), good[4:]...)
	badVersion := append([]byte(nil), good...)
	badVersion[4] = 2
	for name, b := range map[string][]byte{"magic": badMagic, "version": badVersion, "short": good[:10]} {
		if _, err := parseHello(b); !errors.Is(err, ErrBadHandshake) {
			t.Errorf("%s: parseHello error %v, want ErrBadHandshake", name, err)
		}
	}
}

func TestHelloCheck(t *testing.T) {
	tests := []struct {
		h    hello
		want error
	}{
		{hello{cluster: 7, from: 2, to: 1}, nil},
		{hello{cluster: 8, from: 2, to: 1}, ErrClusterMismatch},
		{hello{cluster: 7, from: 2, to: 3}, ErrWrongMember},
	}
	for _, tt := range tests {
		if err := tt.h.check(1, 7); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%+v.check(1, 7) = %v, want %v", tt.h, err, tt.want)
		}
	}
}

func TestReplyTable(t *testing.T) {
	for b := range byte(len(replyErrors)) {
		if got := replyFor(replyError(b)); got != b {
			t.Errorf("replyFor(replyError(%d)) = %d", b, got)
		}
	}
	if got := replyFor(io.ErrUnexpectedEOF); got != replyBadHandshake {
		t.Errorf("replyFor(other error) = %d, want %d", got, replyBadHandshake)
	}
	if err := replyError(200); !errors.Is(err, ErrBadHandshake) {
		t.Errorf("replyError(200) = %v, want ErrBadHandshake", err)
	}
}

func TestOtherClusterIsRejected(t *testing.T) {
	m1 := startMember(t, 1, nil)
	m2 := startMember(t, 2, func(c *Config) { c.ClusterID = 0xBAD })
	connectAll(m1, m2)
	checkFor(t, "rejection logged on both sides", func() bool {
		m1.tr.Send([]raftpb.Message{app(1, 2, 1)})
		return strings.Contains(m2.log.String(), ErrClusterMismatch.Error()) &&
			strings.Contains(m1.log.String(), ErrClusterMismatch.Error())
	})
	checkFor(t, "ReportUnreachable", func() bool { return m1.rec.unreachableReports(2) > 0 })
	if !strings.Contains(m2.log.String(), "level=ERROR") {
		t.Errorf("rejection not logged as an error:\n%s", m2.log)
	}
	if n := m2.rec.count(1); n != 0 {
		t.Errorf("member of another cluster delivered %d messages", n)
	}
}

func TestStreamForAnotherMemberIsRejected(t *testing.T) {
	m1, m2 := startMember(t, 1, nil), startMember(t, 2, nil)
	m1.tr.AddPeer(3, m2.addr) // a stale address: member 2 now listens there
	checkFor(t, "rejection logged", func() bool {
		m1.tr.Send([]raftpb.Message{app(1, 3, 1)})
		return strings.Contains(m2.log.String(), ErrWrongMember.Error())
	})
	checkFor(t, "ReportUnreachable", func() bool { return m1.rec.unreachableReports(3) > 0 })
	if n := m2.rec.count(1); n != 0 {
		t.Errorf("member 2 delivered %d messages meant for member 3", n)
	}
}

func TestSilentStreamTimesOut(t *testing.T) {
	m := startMember(t, 1, func(c *Config) { c.DialTimeout = 50 * time.Millisecond })
	conn, err := net.Dial("tcp", m.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(waitFor)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("read from a stream that never said hello: %v, want EOF once the member hangs up", err)
	}
}
