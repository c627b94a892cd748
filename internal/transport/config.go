package transport

import (
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Defaults for the zero values of Config's limits.
const (
	DefaultQueueLen     = 4096
	DefaultMaxFrameSize = 512 << 20
	DefaultDialTimeout  = time.Second
	DefaultWriteTimeout = 5 * time.Second
)

// Config configures a Transport. A zero limit takes its default.
type Config struct {
	// ID is this member's raft ID. It is sent in the handshake of every
	// outbound stream, and every inbound stream must be addressed to it.
	ID uint64
	// ClusterID identifies the cluster. Streams from peers presenting a
	// different cluster ID are rejected.
	ClusterID uint64
	// Raft receives inbound messages and delivery reports. Required.
	Raft Raft
	// Faults, if non-nil, decides for each outbound message whether to drop
	// or delay it. Tests use it to simulate a network; production leaves it nil.
	Faults Faults
	// Logger receives the Transport's logs; nil means slog.Default().
	Logger *slog.Logger

	// QueueLen is how many messages wait for one peer before Send drops
	// further messages to it. Default DefaultQueueLen.
	QueueLen int
	// MaxFrameSize is the largest encoded message, in bytes, that is sent or
	// accepted; snapshots travel as one MsgSnap message, so it bounds their
	// size. At most math.MaxUint32. Default DefaultMaxFrameSize.
	MaxFrameSize int
	// DialTimeout bounds connecting to a peer including the handshake, and
	// on the accepting side, waiting for the handshake. Default DefaultDialTimeout.
	DialTimeout time.Duration
	// WriteTimeout bounds each write of up to 1 MiB to a peer. A large
	// snapshot is written in 1 MiB pieces, each given this long, so the limit
	// catches a stalled peer rather than a slow one. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
}

// Validate reports the first problem with c, or nil if New will accept it.
func (c Config) Validate() error {
	switch {
	case c.ID == 0:
		return fmt.Errorf("transport: invalid config: ID must not be 0 (raft.None)")
	case c.Raft == nil:
		return fmt.Errorf("transport: invalid config: Raft is nil")
	case c.QueueLen < 0:
		return fmt.Errorf("transport: invalid config: QueueLen %d is negative", c.QueueLen)
	case c.MaxFrameSize < 0 || c.MaxFrameSize > math.MaxUint32:
		return fmt.Errorf("transport: invalid config: MaxFrameSize %d is outside [0, %d]", c.MaxFrameSize, uint64(math.MaxUint32))
	case c.DialTimeout < 0:
		return fmt.Errorf("transport: invalid config: DialTimeout %v is negative", c.DialTimeout)
	case c.WriteTimeout < 0:
		return fmt.Errorf("transport: invalid config: WriteTimeout %v is negative", c.WriteTimeout)
	}
	return nil
}

// withDefaults returns c with every zero limit replaced by its default.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.QueueLen == 0 {
		c.QueueLen = DefaultQueueLen
	}
	if c.MaxFrameSize == 0 {
		c.MaxFrameSize = DefaultMaxFrameSize
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	return c
}
