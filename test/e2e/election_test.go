package e2e

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"

	"github.com/concordkv/concord/test/cluster"
)

const electionName = "/leaders/inventory-cleanup"

// candidate is one service instance campaigning for the cron job.
type candidate struct {
	id     int
	member int // the member its client talks to
	cli    *clientv3.Client
}

type elected struct {
	id  int
	rev int64 // create revision of its leader key
	at  time.Time
}

func (c *candidate) run(ctx context.Context, t *testing.T, ttl int, out chan<- elected) {
	s, err := concurrency.NewSession(c.cli, concurrency.WithTTL(ttl), concurrency.WithContext(ctx))
	if err != nil {
		if ctx.Err() == nil {
			t.Errorf("candidate %d: session: %v", c.id, err)
		}
		return
	}
	e := concurrency.NewElection(s, electionName)
	if err := e.Campaign(ctx, fmt.Sprintf("instance-%d", c.id)); err != nil {
		return // killed while waiting
	}
	out <- elected{id: c.id, rev: e.Rev(), at: time.Now()}
	<-ctx.Done()
}

// intervals reads the election's history and returns each leader key's
// [create, delete) revisions, checking they never overlap.
func checkIntervals(t *testing.T, cli *clientv3.Client, from int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type span struct {
		key        string
		start, end int64
	}
	spans := map[string]*span{}
	wch := cli.Watch(ctx, electionName+"/", clientv3.WithPrefix(), clientv3.WithRev(from))
	cur, _ := cli.Get(ctx, "probe")
	for wr := range wch {
		for _, ev := range wr.Events {
			k := string(ev.Kv.Key)
			if ev.Type == mvccpb.PUT && ev.Kv.Version == 1 {
				spans[k] = &span{key: k, start: ev.Kv.ModRevision, end: 1 << 62}
			} else if ev.Type == mvccpb.DELETE && spans[k] != nil {
				spans[k].end = ev.Kv.ModRevision
			}
		}
		if wr.Header.Revision >= cur.Header.Revision {
			break
		}
	}
	// the leader is the key with the lowest create revision: it leads from
	// the moment every older key is gone until its own deletion
	list := make([]*span, 0, len(spans))
	for _, s := range spans {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].start < list[j].start })
	leadEnd := int64(0)
	for _, s := range list {
		leadStart := max(s.start, leadEnd)
		if leadStart < leadEnd {
			t.Fatalf("%s leads from %d while the previous leader held until %d", s.key, leadStart, leadEnd)
		}
		leadEnd = max(leadEnd, s.end)
	}
	t.Logf("%d leadership terms checked by revision: none overlaps", len(list))
}

func TestLeaderElectionFlow(t *testing.T) {
	c := cluster.StartProcesses(t, 3, fastFlags...)
	const ttl = 1 // seconds; failover must happen within ttl + 1 s
	ctx := ctxFor(t, 90*time.Second)
	start, err := c.Client().Get(ctx, "start")
	if err != nil {
		t.Fatal(err)
	}
	won := make(chan elected, 10)
	cancels := map[int]context.CancelFunc{}
	cands := map[int]*candidate{}
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{c.Endpoint(i % 3)}, Logger: zap.NewNop(), DialTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		cand := &candidate{id: i, member: i % 3, cli: cli}
		cctx, cancel := context.WithCancel(ctx)
		cands[i], cancels[i] = cand, cancel
		wg.Go(func() { cand.run(cctx, t, ttl, won) })
	}
	defer func() {
		for i, cancel := range cancels {
			cancel()
			cands[i].cli.Close()
		}
		wg.Wait()
	}()

	first := <-won
	select {
	case other := <-won:
		t.Fatalf("two leaders at once: %d and %d", first.id, other.id)
	case <-time.After(2 * time.Second):
	}
	t.Logf("instance-%d leads (member m%d)", first.id, cands[first.id].member)

	// SIGKILL the member the leader's client talks to; if it was the raft
	// leader too, an election (up to 2x the 500 ms timeout) comes first
	victim := cands[first.id].member
	bound := (ttl+1)*time.Second + 200*time.Millisecond
	if leaderIndex(t, c, c.Client()) == victim {
		bound += time.Second
		t.Logf("m%d is also the raft leader", victim)
	}
	c.Kill(victim)
	killed := time.Now()
	next := <-won
	took := next.at.Sub(killed)
	t.Logf("member m%d killed; instance-%d leads after %v", victim, next.id, took)
	if took > bound {
		t.Fatalf("failover took %v, want within %v", took, bound)
	}
	if cands[next.id].member == victim {
		t.Fatalf("instance-%d, connected to the dead member, became leader", next.id)
	}

	// now kill the leader client itself: no resign, no revoke
	cancels[next.id]()
	cands[next.id].cli.Close()
	killed = time.Now()
	third := <-won
	took = third.at.Sub(killed)
	t.Logf("client instance-%d killed; instance-%d leads after %v", next.id, third.id, took)
	if took > (ttl+1)*time.Second+200*time.Millisecond {
		t.Fatalf("failover took %v, want within the session TTL + 1 s", took)
	}
	c.Start(victim)
	checkIntervals(t, c.Client(), start.Header.Revision)
}
