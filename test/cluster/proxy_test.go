package cluster

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup // the accept loop and one goroutine per connection
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { io.Copy(c, c); c.Close() })
		}
	})
	return ln.Addr().String()
}

// roundTrip sends msg through conn and reads the echo, giving up after d.
func roundTrip(conn net.Conn, msg string, d time.Duration) error {
	conn.SetDeadline(time.Now().Add(d))
	if _, err := conn.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("echo differs: " + string(buf))
	}
	return nil
}

func TestLink(t *testing.T) {
	tests := []struct {
		name  string
		fault func(l *Link)
		// wantOld and wantNew say whether a round trip succeeds on a
		// connection opened before the fault and on one opened after.
		wantOld, wantNew bool
		// errNew is the error a failed round trip on a new connection
		// gets: a timeout while held, EOF when broken.
		errNew func(error) bool
	}{
		{"clean", func(*Link) {}, true, true, nil},
		{"cut", (*Link).Cut, false, false, func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }},
		{"cut then healed", func(l *Link) { l.Cut(); l.Heal() }, false, true, nil},
		{"delayed", func(l *Link) { l.Degrade(50*time.Millisecond, 10*time.Millisecond, 0) }, true, true, nil},
		{"lossy", func(l *Link) { l.Degrade(0, 0, 1) }, false, false, func(err error) bool { return errors.Is(err, io.EOF) }},
	}
	target := echoServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewLink(target, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			old, err := net.Dial("tcp", l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			if err := roundTrip(old, "before", 5*time.Second); err != nil {
				t.Fatalf("before the fault: %v", err)
			}
			tt.fault(l)
			if err := roundTrip(old, "old", 5*time.Second); (err == nil) != tt.wantOld {
				t.Errorf("old connection: round trip error %v, want success %v", err, tt.wantOld)
			}
			conn, err := net.Dial("tcp", l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			err = roundTrip(conn, "new", 500*time.Millisecond)
			if (err == nil) != tt.wantNew || (err != nil && !tt.errNew(err)) {
				t.Errorf("new connection: round trip error %v, want success %v", err, tt.wantNew)
			}
		})
	}
}

// TestLinkKeepsOrderUnderJitter sends numbered chunks through a link whose
// jitter exceeds the gap between them and checks they arrive in order.
func TestLinkKeepsOrderUnderJitter(t *testing.T) {
	l, err := NewLink(echoServer(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Degrade(time.Millisecond, 20*time.Millisecond, 0)
	conn, err := net.Dial("tcp", l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var sent []byte
	for i := range 50 {
		b := []byte{byte(i)}
		sent = append(sent, b...)
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	got := make([]byte, len(sent))
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(sent) {
		t.Fatalf("received %v, sent %v", got, sent)
	}
}
