package transport

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/raft/v3/raftpb"
)

func frames(t testing.TB, msgs ...raftpb.Message) []byte {
	t.Helper()
	var buf []byte
	for i := range msgs {
		var err error
		if buf, err = appendFrame(buf, &msgs[i], msgs[i].Size()); err != nil {
			t.Fatalf("appendFrame: %v", err)
		}
	}
	return buf
}

func TestFrameRoundTrip(t *testing.T) {
	msgs := []raftpb.Message{
		{},
		{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 3, Commit: 7},
		appWithEntry(1, 2, 5, 300),
		snapshotMsg(1, 2, 200<<10), // larger than the reused buffer
		{Type: raftpb.MsgVote, From: 2, To: 1, Context: []byte("campaign")},
	}
	fr := newFrameReader(bytes.NewReader(frames(t, msgs...)), 1<<20)
	for i, want := range msgs {
		var got raftpb.Message
		if err := fr.next(&got); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		gb, _ := got.Marshal()
		wb, _ := want.Marshal()
		if !bytes.Equal(gb, wb) {
			t.Errorf("frame %d decoded to %v, want %v", i, got.Type, want.Type)
		}
	}
	var m raftpb.Message
	if err := fr.next(&m); err != io.EOF {
		t.Errorf("after the last frame: %v, want io.EOF", err)
	}
}

// TestFrameDocExample keeps the worked example in doc.go true.
func TestFrameDocExample(t *testing.T) {
	got := frames(t, raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 3, Commit: 7})
	want, _ := hex.DecodeString(strings.ReplaceAll("00000014 0808 1002 1801 2003 2800 3000 4007 5000 5800 6800", " ", ""))
	if !bytes.Equal(got, want) {
		t.Errorf("frame is % x, doc.go says % x", got, want)
	}
}

func TestFrameReaderErrors(t *testing.T) {
	valid := frames(t, appWithEntry(1, 2, 1, 100))
	header := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	tests := []struct {
		name  string
		input []byte
		want  error // nil: any non-nil error
	}{
		{"empty stream", nil, io.EOF},
		{"torn header", valid[:2], io.ErrUnexpectedEOF},
		{"torn body", valid[:len(valid)-1], io.ErrUnexpectedEOF},
		{"over the limit", header(1025), ErrFrameTooLarge},
		{"garbage body", append(header(3), 0xff, 0xff, 0xff), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m raftpb.Message
			err := newFrameReader(bytes.NewReader(tt.input), 1024).next(&m)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("next = %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzFrameReader(f *testing.F) {
	f.Add(frames(f, app(1, 2, 1), snapshotMsg(1, 2, 100)))
	f.Add([]byte{0, 0, 0, 2, 0x08})
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := newFrameReader(bytes.NewReader(data), 4096)
		for {
			var m raftpb.Message
			if err := fr.next(&m); err != nil {
				return
			}
			// Whatever decoded must survive a round trip unchanged.
			b, err := m.Marshal()
			if err != nil {
				t.Fatalf("re-encode decoded message: %v", err)
			}
			var again raftpb.Message
			if err := again.Unmarshal(b); err != nil {
				t.Fatalf("decode re-encoded message: %v", err)
			}
			if b2, _ := again.Marshal(); !bytes.Equal(b, b2) {
				t.Fatalf("round trip changed the message")
			}
		}
	})
}

func TestFrameTooLargeClosesOnlyThatStream(t *testing.T) {
	m1 := startMember(t, 1, nil)
	m2 := startMember(t, 2, func(c *Config) { c.MaxFrameSize = 64 << 10 })
	connectAll(m1, m2)
	m1.tr.Send([]raftpb.Message{app(1, 2, 1)})
	checkFor(t, "the first message", func() bool { return m2.rec.count(1) == 1 })

	conn, err := net.Dial("tcp", m2.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(waitFor)); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, 1)
	if _, err := conn.Write(hello{cluster: testCluster, from: 3, to: 2}.encode()); err != nil {
		t.Fatalf("send hello: %v", err)
	}
	if _, err := io.ReadFull(conn, reply); err != nil || reply[0] != replyOK {
		t.Fatalf("handshake reply %v, %v; want accepted", reply, err)
	}
	if _, err := conn.Write(binary.BigEndian.AppendUint32(nil, 1<<20)); err != nil {
		t.Fatalf("send oversize header: %v", err)
	}
	if _, err := conn.Read(reply); !errors.Is(err, io.EOF) {
		t.Errorf("read after an oversize frame: %v, want EOF", err)
	}
	if !strings.Contains(m2.log.String(), ErrFrameTooLarge.Error()) {
		t.Errorf("oversize frame not logged")
	}

	m1.tr.Send([]raftpb.Message{app(1, 2, 2)})
	checkFor(t, "the other stream to keep working", func() bool { return m2.rec.count(1) == 2 })
	if got := m2.rec.indexes(1); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("delivered %v, want [1 2]", got)
	}
}
