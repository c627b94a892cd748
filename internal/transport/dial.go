package transport

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// dialTCP connects to addr with Nagle's algorithm off, so that small raft
// messages are not held back waiting for acknowledgements; the writer's
// batching already keeps segments full.
func dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.SetNoDelay(true); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("set TCP_NODELAY: %w", err)
		}
	}
	return conn, nil
}

// open connects to peer to at addr and completes the handshake, all within
// DialTimeout. It returns early with an error if ctx is cancelled.
func (t *Transport) open(ctx context.Context, to uint64, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.DialTimeout)
	defer cancel()
	conn, err := t.dial(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("transport: dial peer %d at %s: %w", to, addr, err)
	}
	if err := t.greet(ctx, conn, hello{cluster: t.cfg.ClusterID, from: t.cfg.ID, to: to}); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("transport: handshake with peer %d at %s: %w", to, addr, err)
	}
	return conn, nil
}

// greet sends h on conn and waits for the accepting side's reply, giving up
// at ctx's deadline or cancellation.
func (t *Transport) greet(ctx context.Context, conn net.Conn, h hello) error {
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return err
		}
	}
	interrupt := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	err := exchangeHello(conn, h)
	if !interrupt() {
		return fmt.Errorf("wait for reply: %w", context.Cause(ctx))
	}
	if err != nil {
		return err
	}
	return conn.SetDeadline(time.Time{})
}

// exchangeHello writes h and reads the one-byte reply.
func exchangeHello(conn net.Conn, h hello) error {
	if _, err := conn.Write(h.encode()); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	var reply [1]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil {
		return fmt.Errorf("read reply: %w", err)
	}
	if err := replyError(reply[0]); err != nil {
		return fmt.Errorf("rejected: %w", err)
	}
	return nil
}
