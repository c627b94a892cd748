package probe

import (
	"fmt"
	"io"
	"net"
	"slices"
	"time"
)

// LoopbackRTT measures n round trips of a 64-byte message over a TCP
// connection on 127.0.0.1 to an echo server in this process, and returns
// the median. It is the network part of the floor under a request's
// latency on this machine.
func LoopbackRTT(n int) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("probe: loopback: %w", err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() { // owner: LoopbackRTT; ends when the client closes
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return 0, fmt.Errorf("probe: loopback: %w", err)
	}
	msg := make([]byte, 64)
	took := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			c.Close()
			return 0, fmt.Errorf("probe: loopback: %w", err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			c.Close()
			return 0, fmt.Errorf("probe: loopback: %w", err)
		}
		took[i] = time.Since(start)
	}
	c.Close()
	<-done
	slices.Sort(took)
	return took[n/2], nil
}
