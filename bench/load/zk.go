package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-zookeeper/zk"
)

// zkSessionTimeout is the session timeout every ZooKeeper client asks for.
const zkSessionTimeout = 10 * time.Second

var zkACL = zk.WorldACL(zk.PermAll)

// zkConn is one ZooKeeper session on one server.
type zkConn struct {
	*zk.Conn
	events <-chan zk.Event
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// dialZK connects to server and waits until the session is established.
func dialZK(ctx context.Context, server string) (*zkConn, error) {
	conn, events, err := zk.Connect([]string{server}, zkSessionTimeout,
		zk.WithLogger(quietLogger{}), zk.WithLogInfo(false))
	if err != nil {
		return nil, fmt.Errorf("load: zk connect %s: %w", server, err)
	}
	c := &zkConn{Conn: conn, events: events}
	ctx, cancel := context.WithTimeout(ctx, zkSessionTimeout)
	defer cancel()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return nil, fmt.Errorf("load: zk connect %s: connection closed", server)
			}
			if ev.State == zk.StateHasSession {
				return c, nil
			}
		case <-ctx.Done():
			c.close()
			return nil, fmt.Errorf("load: zk connect %s: no session: %w", server, ctx.Err())
		}
	}
}

// close closes the session and waits for the client's goroutines, which
// close the event channel last.
func (c *zkConn) close() {
	c.Conn.Close()
	for range c.events {
	}
}

// zkConns opens n sessions, session i on server i mod len(servers); with
// n == 1 the one session is on the leader.
func zkConns(ctx context.Context, t Target, n int) ([]*zkConn, error) {
	conns := make([]*zkConn, 0, n)
	for i := range n {
		server := t.ZKServers[i%len(t.ZKServers)]
		if n == 1 {
			server = t.ZKServers[t.Leader]
		}
		c, err := dialZK(ctx, server)
		if err != nil {
			closeZK(conns)
			return nil, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

func closeZK(conns []*zkConn) {
	for _, c := range conns {
		c.close()
	}
}

// zkEnsure creates path and its parents, leaving existing nodes alone.
func zkEnsure(c *zkConn, path string) error {
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		_, err := c.Create(path[:i], nil, 0, zkACL)
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("load: create %s: %w", path[:i], err)
		}
	}
	return nil
}

// zkKV is the state the ZooKeeper forms of the key-value workloads share:
// sessions and a preloaded set of nodes.
type zkKV struct {
	conns []*zkConn
	paths []string
	vals  [][]byte // one per client
}

func openZKKV(ctx context.Context, s setup, n int) (*zkKV, error) {
	conns, err := zkConns(ctx, s.t, s.w.Conns)
	if err != nil {
		return nil, err
	}
	d := &zkKV{conns: conns, paths: keyNames(s.name, n)}
	for i := range s.w.Clients {
		d.vals = append(d.vals, value(s.o.ValueSize, uint64(i)))
	}
	if err := d.preload(ctx, s.name); err != nil {
		closeZK(conns)
		return nil, err
	}
	return d, nil
}

// preload creates every node unless the last one exists already.
func (d *zkKV) preload(ctx context.Context, parent string) error {
	if err := zkEnsure(d.conns[0], parent); err != nil {
		return err
	}
	if ok, _, err := d.conns[0].Exists(d.paths[len(d.paths)-1]); err != nil || ok {
		return err
	}
	return parallel(ctx, len(d.paths), 32, func(_ context.Context, i int) error {
		_, err := d.conns[i%len(d.conns)].Create(d.paths[i], d.vals[0], 0, zkACL)
		if errors.Is(err, zk.ErrNodeExists) {
			return nil
		}
		return err
	})
}

func (d *zkKV) conn(i int) *zkConn { return d.conns[i%len(d.conns)] }
func (d *zkKV) close()             { closeZK(d.conns) }

// zkPut is put as ZooKeeper does it: setData on an existing node.
type zkPut struct{ *zkKV }

func newZKPut(ctx context.Context, s setup) (driver, error) {
	kv, err := openZKKV(ctx, s, keySpace)
	return zkPut{kv}, err
}

func (d zkPut) worker(i int) func(context.Context) error {
	r, c, val := clientRand(i), d.conn(i), d.vals[i]
	return func(context.Context) error {
		_, err := c.Set(d.paths[r.IntN(len(d.paths))], val, -1)
		return err
	}
}

// zkGet is getData; with sync it is sync then getData, ZooKeeper's way to
// read the latest committed value (two round trips, as the Go client has
// no asynchronous calls to pipeline them).
type zkGet struct {
	*zkKV
	sync bool
}

func newZKGet(sync bool) func(context.Context, setup) (driver, error) {
	return func(ctx context.Context, s setup) (driver, error) {
		kv, err := openZKKV(ctx, s, keySpace)
		return zkGet{kv, sync}, err
	}
}

func (d zkGet) worker(i int) func(context.Context) error {
	r, c := clientRand(i), d.conn(i)
	return func(context.Context) error {
		p := d.paths[r.IntN(len(d.paths))]
		if d.sync {
			if _, err := c.Sync(p); err != nil {
				return err
			}
		}
		_, _, err := c.Get(p)
		return err
	}
}

// zkMixed does 90% getData and 10% setData.
type zkMixed struct{ *zkKV }

func newZKMixed(ctx context.Context, s setup) (driver, error) {
	kv, err := openZKKV(ctx, s, keySpace)
	return zkMixed{kv}, err
}

func (d zkMixed) worker(i int) func(context.Context) error {
	r, c, val := clientRand(i), d.conn(i), d.vals[i]
	return func(context.Context) error {
		p := d.paths[r.IntN(len(d.paths))]
		var err error
		if r.IntN(10) == 0 {
			_, err = c.Set(p, val, -1)
		} else {
			_, _, err = c.Get(p)
		}
		return err
	}
}
