package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

// election is the members' election timeout. Elections are fast so that a
// minute holds many faults, and snapshots frequent so that restarted
// members catch up from snapshots as well as from the log.
const election = 500 * time.Millisecond

var memberFlags = []string{
	"--heartbeat-interval", "50", "--election-timeout", "500",
	"--snapshot-count", "500", "--snapshot-catchup-entries", "100",
}

// probePrefix holds the harness's own writes, made to measure recovery.
const probePrefix = "chaos/probe/"

// network is how faults reach member-to-member links; from and to are
// member indexes. The proxy mesh implements it without privileges; a
// network-namespace mode (veth pairs and tc, as root) would implement the
// same three methods.
type network interface {
	// Cut stops everything member from sends to member to.
	Cut(from, to int)
	// Degrade delays what from sends to to by delay plus up to jitter,
	// and breaks the stream with probability loss per chunk.
	Degrade(from, to int, delay, jitter time.Duration, loss float64)
	// HealAll restores every link.
	HealAll()
}

var _ network = (*cluster.Mesh)(nil)

// testbed is one cluster under test: its processes, the network between
// them, a client bound to each member and a record of what happened.
type testbed struct {
	t       testing.TB
	procs   *cluster.Process
	net     network
	clients []*clientv3.Client // clients[i] talks to member i only
	all     *clientv3.Client   // every member: status, hashes, final reads
	start   time.Time

	mu       sync.Mutex // protects the fields below
	down     []bool     // killed by the nemesis and not yet restarted
	events   []string   // the timeline, for the artifacts
	probes   map[string]string
	probeSeq int
}

// newTestbed starts n members of binary (the checkout's own when empty),
// each dialling its peers through the mesh.
func newTestbed(t testing.TB, n int, seed uint64, binary string) *testbed {
	t.Helper()
	procs := cluster.NewProcesses(t, n, memberFlags...)
	if binary != "" {
		procs.SetBinary(binary)
	}
	mesh := cluster.NewMesh(t, procs, seed)
	procs.StartAll(60 * time.Second)
	b := &testbed{t: t, procs: procs, net: mesh, all: procs.Client(), start: time.Now(),
		down: make([]bool, n), probes: map[string]string{}}
	for i := range n {
		b.clients = append(b.clients, procs.Client(procs.Endpoint(i)))
	}
	return b
}

func (b *testbed) size() int { return b.procs.Size() }

// logf records an event on the timeline and in the test log.
func (b *testbed) logf(format string, args ...any) {
	line := fmt.Sprintf("%8.3fs ", time.Since(b.start).Seconds()) + fmt.Sprintf(format, args...)
	b.mu.Lock()
	b.events = append(b.events, line)
	b.mu.Unlock()
	b.t.Log(line)
}

func (b *testbed) timeline() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.events, "\n") + "\n"
}

// leader returns the member that reports itself leader, or -1.
func (b *testbed) leader() int {
	for i := range b.size() {
		if !b.procs.Running(i) || b.procs.Paused(i) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := b.all.Status(ctx, b.procs.Endpoint(i))
		cancel()
		if err == nil && st.Leader != 0 && st.Leader == st.Header.MemberId {
			return i
		}
	}
	return -1
}

// kill sends SIGKILL to member i and remembers that it is down on purpose.
func (b *testbed) kill(i int) {
	b.mu.Lock()
	b.down[i] = true
	b.mu.Unlock()
	b.procs.Kill(i)
}

// restart starts a killed member i on its data.
func (b *testbed) restart(i int) {
	b.procs.Start(i)
	b.mu.Lock()
	b.down[i] = false
	b.mu.Unlock()
}

// crashed returns the members that exited without being killed, with the
// end of their logs, and starts them again so the run can go on.
func (b *testbed) crashed() []string {
	var out []string
	for i := range b.size() {
		b.mu.Lock()
		down := b.down[i]
		b.mu.Unlock()
		if !down && !b.procs.Running(i) {
			out = append(out, fmt.Sprintf("member %s exited on its own; its log ends:\n%s", b.procs.Name(i), tail(b.procs.Log(i), 2000)))
			b.restart(i)
		}
	}
	return out
}

// heal ends every fault: links restored, paused members continued, killed
// ones restarted.
func (b *testbed) heal() {
	b.net.HealAll()
	for i := range b.size() {
		b.procs.Resume(i)
		b.mu.Lock()
		down := b.down[i]
		b.mu.Unlock()
		if down {
			b.restart(i)
		}
	}
}

// awaitRecovery waits until a write through every running member succeeds
// and returns how long that took. The probe writes are remembered and, at
// the end, checked like any acknowledged write.
func (b *testbed) awaitRecovery(timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errs := make([]error, b.size())
	var wg sync.WaitGroup
	for i := range b.size() {
		if b.procs.Running(i) {
			wg.Go(func() { errs[i] = b.probe(ctx, i) })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// probe writes through member i until a write succeeds or ctx ends.
func (b *testbed) probe(ctx context.Context, i int) error {
	for {
		b.mu.Lock()
		b.probeSeq++
		key := fmt.Sprintf("%s%s/%06d", probePrefix, b.procs.Name(i), b.probeSeq)
		b.mu.Unlock()
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := b.clients[i].Put(pctx, key, key)
		cancel()
		if err == nil {
			b.mu.Lock()
			b.probes[key] = key
			b.mu.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no write through %s succeeded: %w", b.procs.Name(i), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lostProbes reads the probe writes back and returns how many were
// acknowledged and how many of those are missing.
func (b *testbed) lostProbes(ctx context.Context) (acked, lost int, err error) {
	resp, err := b.all.Get(ctx, probePrefix, clientv3.WithPrefix())
	if err != nil {
		return 0, 0, fmt.Errorf("read back probe writes: %w", err)
	}
	got := make(map[string]string, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = string(kv.Value)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, v := range b.probes {
		if got[k] != v {
			lost++
		}
	}
	return len(b.probes), lost, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
