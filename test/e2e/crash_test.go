package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/internal/wal"
	"github.com/concordkv/concord/test/cluster"
)

// crashFlags keep elections fast and snapshots frequent, so that a restart
// recovers from a snapshot file plus the WAL after it, and a member that
// fell behind by more than the catch-up entries is sent a snapshot.
var crashFlags = []string{
	"--heartbeat-interval", "50", "--election-timeout", "500",
	"--snapshot-count", "200", "--snapshot-catchup-entries", "100",
}

// TestCrashOneMemberUnderLoad kills one member with SIGKILL while four
// clients write, restarts it, and checks that it catches up and that no
// acknowledged write was lost.
func TestCrashOneMemberUnderLoad(t *testing.T) {
	cases := []struct {
		name   string
		victim func(t *testing.T, c *cluster.Process, cli *clientv3.Client) int
	}{
		{"leader", leaderIndex},
		{"follower", func(t *testing.T, c *cluster.Process, cli *clientv3.Client) int {
			return (leaderIndex(t, c, cli) + 1) % 3
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cluster.StartProcesses(t, 3, crashFlags...)
			cli := c.Client()
			load := startWriteLoad(t, cli, "crash-one", 4)
			load.waitAcked(t, 400, 20*time.Second) // past two snapshots

			victim := tc.victim(t, c, cli)
			c.Kill(victim)
			killed := load.ackedCount()
			requireSnapshotFile(t, c.DataDir(victim))
			load.waitRunning(t, time.Second, killed+100, 20*time.Second)

			logStart := len(c.Log(victim))
			c.Start(victim)
			load.waitAcked(t, load.ackedCount()+100, 20*time.Second)
			acked, failed, maxRev := load.stop()

			rev := requireConverged(t, c, cli, maxRev, 30*time.Second)
			restart := c.Log(victim)[logStart:]
			snapIndex := restartSnapshotIndex(t, restart)
			checked := requireAcked(t, c.Client(c.Endpoint(victim)), "crash-one/", acked, clientv3.WithSerializable())
			t.Logf("killed member %d after %d acknowledged writes; %d acknowledged, %d failed in all; "+
				"it restarted from its snapshot at index %d (then took one from the leader: %v); "+
				"converged at revision %d; %d writes read back from it",
				victim, killed, len(acked), failed, snapIndex, strings.Contains(restart, "installed snapshot from leader"), rev, checked)
		})
	}
}

// TestCrashAllMembersUnderLoad kills every member at once while four
// clients write, restarts them all and checks that every acknowledged
// write survived. Writes that failed may or may not have been applied.
func TestCrashAllMembersUnderLoad(t *testing.T) {
	c := cluster.StartProcesses(t, 3, crashFlags...)
	cli := c.Client()
	load := startWriteLoad(t, cli, "crash-all", 4)
	load.waitAcked(t, 500, 20*time.Second)

	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() { c.Kill(i) })
	}
	wg.Wait()
	acked, failed, maxRev := load.stop()

	for i := range 3 {
		c.Start(i)
	}
	c.WaitReady(30 * time.Second)
	rev := requireConverged(t, c, cli, maxRev, 30*time.Second)
	checked := requireAcked(t, cli, "crash-all/", acked)
	t.Logf("%d writes acknowledged before all members were killed, %d failed; all %d read back after restart at revision %d",
		len(acked), failed, checked, rev)
}

// TestCrashTornWALTail cuts a killed member's last WAL segment inside its
// last record, as a write torn by a power loss would leave it, and checks
// that the member repairs the tail, says so, and catches up.
func TestCrashTornWALTail(t *testing.T) {
	c := cluster.StartProcesses(t, 3, crashFlags...)
	cli := c.Client()
	load := startWriteLoad(t, cli, "torn", 4)
	load.waitAcked(t, 300, 20*time.Second)

	victim := (leaderIndex(t, c, cli) + 1) % 3 // a follower: the leader keeps what the cut drops
	c.Kill(victim)
	// A torn write is the start of a record whose fsync never finished, so
	// it was never acknowledged: TearWALTail writes it just past the end of
	// the log and never cuts a synced record (raft rightly refuses that).
	readWAL(t, lastWALSegment(t, c.DataDir(victim))) // SIGKILL itself tore nothing
	tear, err := cluster.TearWALTail(c.DataDir(victim), rand.New(rand.NewPCG(1, uint64(victim))))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tore %v", tear)

	logStart := len(c.Log(victim))
	c.Start(victim)
	load.waitAcked(t, load.ackedCount()+100, 20*time.Second)
	acked, failed, maxRev := load.stop()
	rev := requireConverged(t, c, cli, maxRev, 30*time.Second)

	repair := lineContaining(c.Log(victim)[logStart:], "torn tail")
	if repair == "" || !strings.Contains(repair, tear.Segment) || !strings.Contains(repair, fmt.Sprintf("offset=%d", tear.Offset)) {
		t.Fatalf("restart did not log the repair of %v; its log:\n%s", tear, c.Log(victim)[logStart:])
	}
	checked := requireAcked(t, c.Client(c.Endpoint(victim)), "torn/", acked, clientv3.WithSerializable())
	t.Logf("repair logged: %s", repair)
	t.Logf("%d acknowledged, %d failed; converged at revision %d; %d writes read back from the repaired member",
		len(acked), failed, rev, checked)
}

// TestCrashCorruptWALRecord flips a byte inside a record in the middle of a
// killed member's WAL. The member must refuse to start, naming the file and
// the offset, while the other two keep serving.
func TestCrashCorruptWALRecord(t *testing.T) {
	c := cluster.StartProcesses(t, 3, crashFlags...)
	cli := c.Client()
	load := startWriteLoad(t, cli, "corrupt", 4)
	load.waitAcked(t, 300, 20*time.Second)

	victim := (leaderIndex(t, c, cli) + 1) % 3
	c.Kill(victim)
	load.stop()
	seg := lastWALSegment(t, c.DataDir(victim))
	recs := readWAL(t, seg)
	if len(recs) < 10 {
		t.Fatalf("only %d records in %s", len(recs), seg)
	}
	bad := recs[len(recs)/2]
	flipByte(t, seg, int64(bad.DataOff+bad.DataLen/2))
	t.Logf("flipped a data byte of record %d of %d (type %d at offset %d) in %s",
		len(recs)/2, len(recs), bad.Type, bad.Offset, filepath.Base(seg))
	wantMsg := fmt.Sprintf("%s at offset %d", seg, bad.Offset)

	t.Run("restart exits", func(t *testing.T) {
		logStart := len(c.Log(victim))
		started := time.Now()
		c.Start(victim)
		if !cluster.Eventually(5*time.Second, func() bool { return !c.Running(victim) }) {
			t.Fatalf("member with a corrupt WAL still running after 5s; log:\n%s", c.Log(victim)[logStart:])
		}
		out := c.Log(victim)[logStart:]
		// main prints "concord serve: <error>" only just before os.Exit(1)
		if line := lineContaining(out, "concord serve:"); !strings.Contains(line, wantMsg) || !strings.Contains(line, "corrupt") {
			t.Fatalf("exit message does not name %q; output:\n%s", wantMsg, out)
		}
		t.Logf("exited after %v", time.Since(started).Round(time.Millisecond))
	})
	t.Run("direct run exits non-zero", func(t *testing.T) {
		code, out := runServe(t, c.DataDir(victim))
		if code == 0 || !strings.Contains(out, wantMsg) {
			t.Fatalf("concord serve on the corrupt WAL: exit status %d, output:\n%s", code, out)
		}
		t.Logf("exit status %d: %s", code, strings.TrimSpace(out))
	})
	t.Run("others keep serving", func(t *testing.T) {
		var eps []string
		for i := range 3 {
			if i != victim {
				eps = append(eps, c.Endpoint(i))
			}
		}
		others := c.Client(eps...)
		load := startWriteLoad(t, others, "corrupt-after", 2)
		load.waitAcked(t, 50, 20*time.Second)
		acked, _, maxRev := load.stop()
		requireConverged(t, c, others, maxRev, 30*time.Second)
		requireAcked(t, others, "corrupt-after/", acked)
	})
}

// writeLoad is writers putting distinct keys with distinct values, each
// waiting for one put before the next. It remembers the puts that were
// acknowledged.
type writeLoad struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu     sync.Mutex // protects the fields below
	acked  map[string]string
	failed int
	maxRev int64 // highest revision an acknowledged put reported
}

// startWriteLoad starts writers goroutines putting keys under prefix+"/"
// through cli until stop (or the end of the test).
func startWriteLoad(t *testing.T, cli *clientv3.Client, prefix string, writers int) *writeLoad {
	ctx, cancel := context.WithCancel(context.Background())
	l := &writeLoad{cancel: cancel, acked: map[string]string{}}
	for w := range writers {
		l.wg.Go(func() { l.write(ctx, cli, fmt.Sprintf("%s/w%d/", prefix, w)) })
	}
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *writeLoad) write(ctx context.Context, cli *clientv3.Client, prefix string) {
	for seq := 0; ctx.Err() == nil; seq++ {
		key := fmt.Sprintf("%s%07d", prefix, seq)
		val := fmt.Sprintf("%s=%d:%s", key, seq, strings.Repeat("v", 64))
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		resp, err := cli.Put(pctx, key, val)
		cancel()
		l.mu.Lock()
		if err == nil {
			l.acked[key] = val
			l.maxRev = max(l.maxRev, resp.Header.Revision)
		} else if ctx.Err() == nil {
			l.failed++
		}
		l.mu.Unlock()
		if err != nil { // pace retries while there is no leader
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

func (l *writeLoad) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// waitAcked waits until at least n puts were acknowledged.
func (l *writeLoad) waitAcked(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	if !cluster.Eventually(timeout, func() bool { return l.ackedCount() >= n }) {
		t.Fatalf("only %d of %d puts acknowledged within %v", l.ackedCount(), n, timeout)
	}
}

// waitRunning lets the load run for at least d and until n puts were
// acknowledged.
func (l *writeLoad) waitRunning(t *testing.T, d time.Duration, n int, timeout time.Duration) {
	t.Helper()
	until := time.Now().Add(d)
	if !cluster.Eventually(timeout, func() bool { return time.Now().After(until) && l.ackedCount() >= n }) {
		t.Fatalf("only %d of %d puts acknowledged within %v", l.ackedCount(), n, timeout)
	}
}

// stop stops the writers, waits for them and returns the acknowledged puts
// (key -> value), the number of failed ones and the highest revision
// acknowledged. Later calls return the same.
func (l *writeLoad) stop() (acked map[string]string, failed int, maxRev int64) {
	l.once.Do(func() {
		l.cancel()
		l.wg.Wait()
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked, l.failed, l.maxRev
}

// leaderIndex returns the index of the member the cluster follows.
func leaderIndex(t *testing.T, c *cluster.Process, cli *clientv3.Client) int {
	t.Helper()
	lead := -1
	ok := cluster.Eventually(10*time.Second, func() bool {
		for i := range 3 {
			st, err := status(cli, c.Endpoint(i))
			if err == nil && st.Leader != 0 && st.Leader == st.Header.MemberId {
				lead = i
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatal("no member reports itself leader")
	}
	return lead
}

func status(cli *clientv3.Client, endpoint string) (*clientv3.StatusResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return cli.Status(ctx, endpoint)
}

// requireConverged waits until every running member has applied the same
// revision, at least atLeast, with the same store hash at it (through
// cluster.Process.Converged). It returns that revision.
func requireConverged(t *testing.T, c *cluster.Process, cli *clientv3.Client, atLeast int64, timeout time.Duration) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		rev, _, err := c.Converged(ctx, cli)
		if err == nil && rev >= atLeast {
			return rev
		}
		if err == nil {
			err = fmt.Errorf("converged at revision %d, below the %d acknowledged", rev, atLeast)
		}
		if ctx.Err() != nil {
			for i := range 3 {
				t.Logf("log of member %d:\n%s", i, tailLog(c.Log(i), 4000))
			}
			t.Fatalf("members did not converge within %v: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// requireAcked reads every key under prefix and checks that each
// acknowledged put is there with its value. It returns how many it checked.
func requireAcked(t *testing.T, cli *clientv3.Client, prefix string, acked map[string]string, opts ...clientv3.OpOption) int {
	t.Helper()
	resp, err := cli.Get(ctxFor(t, 10*time.Second), prefix, append(opts, clientv3.WithPrefix())...)
	if err != nil {
		t.Fatalf("read back %s: %v", prefix, err)
	}
	got := make(map[string]string, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = string(kv.Value)
	}
	var missing []string
	for k, v := range acked {
		if got[k] != v {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("%d of %d acknowledged writes lost or changed, e.g. %q = %q, want %q",
			len(missing), len(acked), missing[0], got[missing[0]], acked[missing[0]])
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged")
	}
	return len(acked)
}

// requireSnapshotFile checks that the member has written a snapshot, so
// that its restart recovers from snapshot plus WAL.
func requireSnapshotFile(t *testing.T, dataDir string) {
	t.Helper()
	snaps, err := filepath.Glob(filepath.Join(dataDir, "member", "snap", "*.snap"))
	if err != nil || len(snaps) == 0 {
		t.Fatalf("no snapshot file in %s (%v)", dataDir, err)
	}
}

var restartedSnapshot = regexp.MustCompile(`msg="restarted member".* snapshot=(\d+)`)

// restartSnapshotIndex returns the snapshot index a restarted member's log
// says it recovered from, and fails unless it is a real snapshot.
func restartSnapshotIndex(t *testing.T, log string) uint64 {
	t.Helper()
	m := restartedSnapshot.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no restart line in the log:\n%s", log)
	}
	idx, _ := strconv.ParseUint(m[1], 10, 64)
	if idx == 0 {
		t.Fatalf("member restarted without a snapshot: %s", m[0])
	}
	return idx
}

func lineContaining(log, s string) string {
	for line := range strings.Lines(log) {
		if strings.Contains(line, s) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// runServe runs `concord serve` on dataDir with fresh ports (its stored
// membership replaces the flags' cluster) and returns its exit status and
// output. It expects the process to exit by itself.
func runServe(t *testing.T, dataDir string) (int, string) {
	t.Helper()
	ports := cluster.FreePorts(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cluster.Binary(t), "serve", "--name", "direct", "--data-dir", dataDir,
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[1]))
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("concord serve did not exit within 15s; output:\n%s", out)
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("run concord serve: %v", err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// lastWALSegment returns the path of the member's newest WAL segment.
func lastWALSegment(t *testing.T, dataDir string) string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dataDir, "member", "wal", "*.wal"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no WAL segment in %s (%v)", dataDir, err)
	}
	sort.Strings(segs)
	return segs[len(segs)-1]
}

// readWAL lists the records of the segment at path and checks that only
// zeros (preallocated space) follow them, as they must after SIGKILL, which
// tears no write.
func readWAL(t *testing.T, path string) []wal.RecordInfo {
	t.Helper()
	recs, end, err := wal.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: %d records decode", path, len(recs))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rest := bytes.TrimRight(b[end:], "\x00"); len(rest) > 0 {
		t.Fatalf("%s: non-zero bytes up to offset %d after the last record (at %d)", path, end+len(rest)-1, recs[len(recs)-1].Offset)
	}
	return recs
}

// flipByte inverts every bit of the byte at off in the file at path.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func tailLog(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
