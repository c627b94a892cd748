package transport

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

// countingRaft counts delivered messages and returns flow-control credit.
type countingRaft struct {
	*recorder
	credit chan struct{}
}

func (c countingRaft) Process(context.Context, raftpb.Message) error {
	c.credit <- struct{}{}
	return nil
}

// BenchmarkSend measures messages per second through one link: MsgApp
// messages carrying one 256-byte entry, sent 64 per Send as a raft node
// would after a Ready, with at most half a queue in flight so none drop.
func BenchmarkSend(b *testing.B) {
	const perSend = 64
	window := DefaultQueueLen / 2
	recv := countingRaft{recorder: newRecorder(), credit: make(chan struct{}, window)}
	quiet := slog.New(slog.DiscardHandler)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	receiver := New(Config{ID: 2, ClusterID: testCluster, Raft: recv, Logger: quiet})
	served := make(chan error, 1)
	go func() { served <- receiver.Serve(ln) }()
	sender := New(Config{ID: 1, ClusterID: testCluster, Raft: newRecorder(), Logger: quiet})
	sender.AddPeer(2, ln.Addr().String())
	defer func() {
		sender.Close()
		receiver.Close()
		if err := <-served; err != nil {
			b.Errorf("Serve: %v", err)
		}
	}()

	batch := make([]raftpb.Message, perSend)
	for i := range batch {
		batch[i] = appWithEntry(1, 2, uint64(i), 256)
	}
	inFlight := 0
	b.SetBytes(int64(batch[0].Size()))
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += perSend {
		n := min(perSend, b.N-sent)
		for inFlight+n > window {
			<-recv.credit
			inFlight--
		}
		sender.Send(batch[:n])
		inFlight += n
	}
	for ; inFlight > 0; inFlight-- {
		<-recv.credit
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
