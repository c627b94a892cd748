package systems

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// pollInterval is how often readiness is polled.
const pollInterval = 100 * time.Millisecond

var after = time.After

// etcdReady succeeds once every endpoint names the same leader and a
// linearizable read goes through, which needs a leader that has committed
// an entry of its term.
func etcdReady(ctx context.Context, endpoints []string) error {
	if _, err := etcdLeader(ctx, endpoints); err != nil {
		return err
	}
	cli, err := newEtcdClient(endpoints)
	if err != nil {
		return err
	}
	defer cli.Close()
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = cli.Get(rctx, "bench-ready-probe")
	return err
}

// etcdLeader returns the index of the endpoint whose member leads, if all
// endpoints agree on one.
func etcdLeader(ctx context.Context, endpoints []string) (int, error) {
	cli, err := newEtcdClient(endpoints)
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	leader, at := uint64(0), -1
	for i, ep := range endpoints {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := cli.Status(sctx, ep)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("status of %s: %w", ep, err)
		}
		if st.Leader == 0 || (leader != 0 && st.Leader != leader) {
			return 0, fmt.Errorf("%s sees leader %x, others %x", ep, st.Leader, leader)
		}
		leader = st.Leader
		if st.Header.MemberId == st.Leader {
			at = i
		}
	}
	if at < 0 {
		return 0, fmt.Errorf("leader %x is none of %v", leader, endpoints)
	}
	return at, nil
}

func newEtcdClient(endpoints []string) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
}

// zkReady succeeds once every server answers `srvr` as leader or follower.
func zkReady(_ context.Context, servers []string) error {
	_, err := zkLeader(servers)
	return err
}

// zkLeader returns the index of the server in leader mode.
func zkLeader(servers []string) (int, error) {
	at := -1
	for i, s := range servers {
		mode, err := zkMode(s)
		if err != nil {
			return 0, err
		}
		switch mode {
		case "leader":
			at = i
		case "follower":
		default:
			return 0, fmt.Errorf("%s is in mode %q", s, mode)
		}
	}
	if at < 0 {
		return 0, fmt.Errorf("no leader among %v", servers)
	}
	return at, nil
}

// zkMode asks a ZooKeeper server for its mode with the `srvr` four-letter
// word.
func zkMode(addr string) (string, error) {
	out, err := FourLetterWord(addr, "srvr")
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(out) {
		if m, ok := strings.CutPrefix(line, "Mode: "); ok {
			return strings.TrimSpace(m), nil
		}
	}
	return "", fmt.Errorf("%s: no Mode in srvr output %q", addr, out)
}

// FourLetterWord sends a ZooKeeper four-letter command and returns the
// reply.
func FourLetterWord(addr, cmd string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(cmd)); err != nil {
		return "", err
	}
	var b strings.Builder
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("%s: empty reply to %s (%v)", addr, cmd, sc.Err())
	}
	return b.String(), nil
}
