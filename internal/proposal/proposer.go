package proposal

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/raft/v3"
)

// Errors a caller of Proposer can get besides the command's own result.
var (
	ErrTimeout  = errors.New("proposal: request timed out")
	ErrNoLeader = errors.New("proposal: no leader")
	ErrStopped  = errors.New("proposal: server stopped")
	ErrTooLarge = errors.New("proposal: request is too large")
)

// Raft is what Proposer needs from the raft node (raftnode.Node).
type Raft interface {
	// Propose hands data to raft; raft.ErrProposalDropped means there is no
	// leader to take it.
	Propose(ctx context.Context, data []byte) error
	// ReadIndex returns an index whose application makes a local read
	// linearizable.
	ReadIndex(ctx context.Context) (uint64, error)
	// WaitApplied blocks until index has been applied locally.
	WaitApplied(ctx context.Context, index uint64) error
	// Done is closed when the node stops.
	Done() <-chan struct{}
}

// Proposer runs propose-and-wait for writes and the ReadIndex wait for
// linearizable reads, each bounded by Timeout on top of the caller's
// context.
type Proposer struct {
	Raft     Raft
	Wait     *Wait
	IDs      *IDGen
	MaxBytes int           // largest encoded command accepted
	Timeout  time.Duration // server-side bound on one request
}

// Propose encodes a command with a fresh ID, proposes it and waits until this
// member has applied it, returning the apply step's result.
func (p *Proposer) Propose(ctx context.Context, encode func(id uint64) []byte) (any, error) {
	id := p.IDs.Next()
	data := encode(id)
	if len(data) > p.MaxBytes {
		return nil, ErrTooLarge
	}
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	ch := p.Wait.Register(id)
	defer p.Wait.Cancel(id)
	if err := p.Raft.Propose(ctx, data); err != nil {
		return nil, p.translate(ctx, err)
	}
	select {
	case r := <-ch:
		return r.Value, r.Err
	case <-ctx.Done():
		return nil, p.translate(ctx, ctx.Err())
	case <-p.Raft.Done():
		return nil, ErrStopped
	}
}

// Linearize returns once a read of local state would be linearizable: the
// leader has confirmed its commit index with a quorum and this member has
// applied up to it.
func (p *Proposer) Linearize(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	idx, err := p.Raft.ReadIndex(ctx)
	if err != nil {
		return p.translate(ctx, err)
	}
	if err := p.Raft.WaitApplied(ctx, idx); err != nil {
		return p.translate(ctx, err)
	}
	return nil
}

// translate turns raft and context errors into this package's sentinels; a
// caller's own cancellation stays a context error.
func (p *Proposer) translate(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, raft.ErrProposalDropped):
		return ErrNoLeader
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return ErrTimeout
	case errors.Is(err, context.Canceled):
		return err
	default:
		select {
		case <-p.Raft.Done():
			return ErrStopped
		default:
			return err
		}
	}
}
