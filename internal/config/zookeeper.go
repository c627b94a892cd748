package config

import (
	"fmt"
	"net"
	"time"
)

// Limits of the ZooKeeper front end (docs/limits.md). The defaults are
// ZooKeeper's own where it has one.
const (
	// DefaultZKAddr is ZooKeeper's client port on loopback.
	DefaultZKAddr = "127.0.0.1:2181"
	// DefaultZKMinSessionTimeout and DefaultZKMaxSessionTimeout are
	// ZooKeeper's 2 and 20 tickTimes for tickTime=2000.
	DefaultZKMinSessionTimeout = 4 * time.Second
	DefaultZKMaxSessionTimeout = 40 * time.Second
	// DefaultZKMaxBuffer is ZooKeeper's jute.maxbuffer, 0xfffff bytes: the
	// largest request frame accepted and the largest reply sent.
	DefaultZKMaxBuffer = 0xfffff
	// DefaultZKMaxClientCnxns is ZooKeeper's maxClientCnxns: connections
	// from one IP address.
	DefaultZKMaxClientCnxns = 60
	// DefaultZKSessionRate is the requests per second one connection may
	// send before its requests are delayed (ZooKeeper has no such limit).
	DefaultZKSessionRate = 10000
	// DefaultZKMaxOutstanding is the requests of one connection read but
	// not yet answered (ZooKeeper's globalOutstandingLimit is 1000 for the
	// whole server).
	DefaultZKMaxOutstanding = 1000
	// DefaultZKMaxWatches bounds the watches one connection holds.
	DefaultZKMaxWatches = 65536
)

// ZooKeeper configures the ZooKeeper protocol front end.
type ZooKeeper struct {
	// ListenAddr is the host:port the ZooKeeper protocol is served on
	// (--listen-zk-addr); empty turns the front end off.
	ListenAddr string
	// MinSessionTimeout and MaxSessionTimeout bound the session timeout a
	// client is granted (ZooKeeper's minSessionTimeout/maxSessionTimeout).
	MinSessionTimeout, MaxSessionTimeout time.Duration
	// MaxBuffer is jute.maxbuffer: larger frames close the connection.
	MaxBuffer int
	// MaxClientCnxns limits the connections from one IP address; 0 means
	// no limit.
	MaxClientCnxns int
	// FourLetterWords lists the four-letter words answered
	// (4lw.commands.whitelist); "*" allows all.
	FourLetterWords []string
	// SessionRate is the sustained requests per second of one connection;
	// a faster client is slowed down, not refused.
	SessionRate int
	// MaxOutstanding is the requests one connection may have read but not
	// answered; the connection is not read further until one is answered.
	MaxOutstanding int
	// MaxWatches is the watches one connection may hold.
	MaxWatches int
}

// DefaultZooKeeper returns the front end's defaults: ZooKeeper's.
func DefaultZooKeeper() ZooKeeper {
	return ZooKeeper{
		ListenAddr:        DefaultZKAddr,
		MinSessionTimeout: DefaultZKMinSessionTimeout,
		MaxSessionTimeout: DefaultZKMaxSessionTimeout,
		MaxBuffer:         DefaultZKMaxBuffer,
		MaxClientCnxns:    DefaultZKMaxClientCnxns,
		FourLetterWords:   []string{"srvr"},
		SessionRate:       DefaultZKSessionRate,
		MaxOutstanding:    DefaultZKMaxOutstanding,
		MaxWatches:        DefaultZKMaxWatches,
	}
}

// validate reports the first problem with z; maxRequest is the member's
// --max-request-bytes, which a request frame must fit in once replicated.
func (z *ZooKeeper) validate(maxRequest int) error {
	if z.ListenAddr == "" {
		return nil
	}
	if host, port, err := net.SplitHostPort(z.ListenAddr); err != nil || port == "" {
		return fmt.Errorf("config: --listen-zk-addr %q is not host:port", z.ListenAddr)
	} else if host == "" {
		return fmt.Errorf("config: --listen-zk-addr %q names no host (use 0.0.0.0 for every interface)", z.ListenAddr)
	}
	switch {
	case z.MinSessionTimeout < 100*time.Millisecond:
		return fmt.Errorf("config: --zk-min-session-timeout %v is below 100ms", z.MinSessionTimeout)
	case z.MaxSessionTimeout < z.MinSessionTimeout:
		return fmt.Errorf("config: --zk-max-session-timeout %v is below --zk-min-session-timeout %v", z.MaxSessionTimeout, z.MinSessionTimeout)
	case z.MaxSessionTimeout > 24*time.Hour:
		return fmt.Errorf("config: --zk-max-session-timeout %v is above 24h", z.MaxSessionTimeout)
	case z.MaxBuffer < 1024 || z.MaxBuffer > maxRequest:
		return fmt.Errorf("config: --zk-max-buffer %d is outside 1024..--max-request-bytes (%d)", z.MaxBuffer, maxRequest)
	case z.MaxClientCnxns < 0:
		return fmt.Errorf("config: --zk-max-client-cnxns %d is negative", z.MaxClientCnxns)
	case z.SessionRate <= 0:
		return fmt.Errorf("config: --zk-session-rate %d must be positive", z.SessionRate)
	case z.MaxOutstanding <= 0 || z.MaxOutstanding > 1<<16:
		return fmt.Errorf("config: ZooKeeper outstanding requests %d is outside 1..65536", z.MaxOutstanding)
	case z.MaxWatches <= 0:
		return fmt.Errorf("config: --zk-max-watches %d must be positive", z.MaxWatches)
	}
	return nil
}
