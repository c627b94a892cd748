package etcdapi

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc"

	"github.com/concordkv/concord/internal/watch"
)

// WatchBackend hands out watch streams; *watch.Hub implements it.
type WatchBackend interface {
	// NewStream returns a stream the Watch RPC owns and closes.
	NewStream() *watch.Stream
}

var _ WatchBackend = (*watch.Hub)(nil)

// HeaderSource supplies the cluster ID, member ID and raft term of watch
// response headers; the revision is the hub's. Backend implements it.
type HeaderSource interface {
	Header() *pb.ResponseHeader
}

// WatchConfig tunes the Watch service. Zero fields take the defaults.
type WatchConfig struct {
	// ProgressInterval is the period of progress_notify responses, plus up
	// to 10% jitter per stream. Default 10 minutes, as etcd's
	// --watch-progress-notify-interval.
	ProgressInterval time.Duration
	// MaxResponseBytes is the size above which a response is split: between
	// revisions always, inside a revision only for watchers that asked for
	// fragments. Default 1.5 MiB + 512 KiB, etcd's max request bytes plus
	// gRPC overhead.
	MaxResponseBytes int
}

func (c WatchConfig) withDefaults() WatchConfig {
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = 10 * time.Minute
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 1536<<10 + 512<<10
	}
	return c
}

// RegisterWatch registers etcd's Watch service on s, serving streams from
// b with headers from h.
func RegisterWatch(s *grpc.Server, b WatchBackend, h HeaderSource, cfg WatchConfig) {
	pb.RegisterWatchServer(s, &watchServer{b: b, h: h, cfg: cfg.withDefaults()})
}

type watchServer struct {
	pb.UnimplementedWatchServer
	b   WatchBackend
	h   HeaderSource
	cfg WatchConfig
}

// rejections are the cancel reasons etcd gives for create requests it
// refuses, which clients may match.
var rejections = []struct {
	err    error
	reason string
}{
	{watch.ErrDuplicateID, "mvcc: duplicate watch ID provided on the WatchStream"},
	{watch.ErrEmptyRange, "mvcc: watcher range is empty"},
	{watch.ErrNegativeID, watch.ErrNegativeID.Error()},
}

// Watch serves one bidirectional stream with three goroutines: this one
// sends (sendLoop), "watch receive loop" turns requests into hub calls,
// and "watch progress ticker" drives progress_notify. The ticker is
// stopped and waited for before Watch returns; the receive loop ends when
// Recv fails, which gRPC makes happen as soon as Watch returns, and it
// touches nothing but the (then closed) hub stream after that.
func (ws *watchServer) Watch(stream pb.Watch_WatchServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	hs := ws.b.NewStream()
	var ticker sync.WaitGroup
	defer func() {
		cancel()
		hs.Close()
		ticker.Wait()
	}()

	ticker.Add(1)
	go func() {
		defer ticker.Done()
		ws.tickProgress(ctx, hs)
	}()
	recvErr := make(chan error, 1)
	go func() {
		err := ws.recvLoop(ctx, stream, hs)
		recvErr <- err
		if err != nil {
			cancel()
		}
	}()

	err := ws.sendLoop(ctx, stream, hs)
	select {
	case rerr := <-recvErr:
		if rerr != nil {
			err = rerr
		}
	default:
	}
	switch {
	case errors.Is(err, watch.ErrClosed):
		return rpctypes.ErrGRPCStopped
	case errors.Is(err, context.Canceled):
		return rpctypes.ErrGRPCWatchCanceled
	}
	return err
}

// recvLoop handles the client's requests until the client closes its side
// (nil: the stream stays open for responses) or Recv fails.
func (ws *watchServer) recvLoop(ctx context.Context, stream pb.Watch_WatchServer, hs *watch.Stream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch u := req.RequestUnion.(type) {
		case *pb.WatchRequest_CreateRequest:
			if u.CreateRequest != nil {
				err = create(ctx, hs, u.CreateRequest)
			}
		case *pb.WatchRequest_CancelRequest:
			if u.CancelRequest != nil {
				_, err = hs.Cancel(ctx, u.CancelRequest.WatchId)
			}
		case *pb.WatchRequest_ProgressRequest:
			if u.ProgressRequest != nil {
				hs.RequestProgress()
			}
		}
		if err != nil {
			return err
		}
	}
}

// create adds the watcher r asks for, or queues etcd's refusal.
func create(ctx context.Context, hs *watch.Stream, r *pb.WatchCreateRequest) error {
	if r.StartRevision < 0 {
		return hs.Reject(ctx, rpctypes.ErrCompacted.Error())
	}
	req := watch.Request{
		ID: r.WatchId, Key: r.Key, End: r.RangeEnd, StartRev: r.StartRevision,
		PrevKV: r.PrevKv, ProgressNotify: r.ProgressNotify, Fragment: r.Fragment,
	}
	if len(req.Key) == 0 {
		req.Key = []byte{0} // the smallest key, as etcd does
	}
	for _, f := range r.Filters {
		switch f {
		case pb.WatchCreateRequest_NOPUT:
			req.NoPut = true
		case pb.WatchCreateRequest_NODELETE:
			req.NoDelete = true
		}
	}
	_, err := hs.Watch(ctx, req)
	for _, rj := range rejections {
		if errors.Is(err, rj.err) {
			return hs.Reject(ctx, rj.reason)
		}
	}
	return err
}

// tickProgress calls ProgressTick every ProgressInterval, jittered, until
// ctx is done.
func (ws *watchServer) tickProgress(ctx context.Context, hs *watch.Stream) {
	interval := ws.cfg.ProgressInterval
	interval += rand.N(interval/10 + 1)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			hs.ProgressTick()
		}
	}
}

// sendLoop sends the hub stream's responses until Next or Send fails.
func (ws *watchServer) sendLoop(ctx context.Context, stream pb.Watch_WatchServer, hs *watch.Stream) error {
	for {
		resps, err := hs.Next(ctx)
		if err != nil {
			return err
		}
		base := ws.h.Header()
		for i := range resps {
			if err := ws.send(stream, base, &resps[i]); err != nil {
				return err
			}
		}
	}
}

// send sends one hub response as one or more WatchResponses: events are
// split between revisions where the size passes MaxResponseBytes, and a
// larger revision is split into fragments if the watcher allows it.
func (ws *watchServer) send(stream pb.Watch_WatchServer, base *pb.ResponseHeader, r *watch.Response) error {
	resp := &pb.WatchResponse{
		Header:          header(base, r.Revision),
		WatchId:         r.WatchID,
		Created:         r.Created,
		Canceled:        r.Canceled,
		CompactRevision: r.CompactRevision,
		CancelReason:    r.CancelReason,
	}
	if len(r.Events) == 0 {
		return stream.Send(resp)
	}
	limit := ws.cfg.MaxResponseBytes
	sizes := make([]int, len(r.Events))
	for i, ev := range r.Events {
		sizes[i] = ev.Size() + 6 // field tag and length prefix
	}
	for evs := r.Events; len(evs) > 0; {
		n, size := wholeRevisions(evs, sizes, limit)
		part := &pb.WatchResponse{Header: resp.Header, WatchId: r.WatchID,
			Events: append([]*mvccpb.Event(nil), evs[:n]...)} // gRPC may read it after Send returns
		if n < len(evs) {
			part.Header = header(base, evs[n-1].Kv.ModRevision)
		}
		var err error
		if r.Fragment && size > limit && n > 1 {
			err = sendFragments(stream, part, sizes[:n], limit)
		} else {
			err = stream.Send(part)
		}
		if err != nil {
			return err
		}
		evs, sizes = evs[n:], sizes[n:]
	}
	return nil
}

// wholeRevisions returns how many leading events, ending at a revision
// boundary, fit in limit bytes (at least one revision), and their size.
func wholeRevisions(evs []*mvccpb.Event, sizes []int, limit int) (n, size int) {
	for n < len(evs) {
		rev := evs[n].Kv.ModRevision
		j, revSize := n, 0
		for ; j < len(evs) && evs[j].Kv.ModRevision == rev; j++ {
			revSize += sizes[j]
		}
		if n > 0 && size+revSize > limit {
			break
		}
		n, size = j, size+revSize
	}
	return n, size
}

// sendFragments sends r's events in pieces of at most limit bytes (at
// least one event each), every piece but the last marked Fragment, which
// clients join back into one response.
func sendFragments(stream pb.Watch_WatchServer, r *pb.WatchResponse, sizes []int, limit int) error {
	for evs := r.Events; len(evs) > 0; {
		n, size := 1, sizes[0]
		for n < len(evs) && size+sizes[n] <= limit {
			size += sizes[n]
			n++
		}
		piece := &pb.WatchResponse{Header: r.Header, WatchId: r.WatchId, Events: evs[:n], Fragment: n < len(evs)}
		if err := stream.Send(piece); err != nil {
			return err
		}
		evs, sizes = evs[n:], sizes[n:]
	}
	return nil
}

// header returns a copy of base at revision rev.
func header(base *pb.ResponseHeader, rev int64) *pb.ResponseHeader {
	h := &pb.ResponseHeader{Revision: rev}
	if base != nil {
		h.ClusterId, h.MemberId, h.RaftTerm = base.ClusterId, base.MemberId, base.RaftTerm
	}
	return h
}
