package load

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-zookeeper/zk"
)

// zkCAS is compare-and-swap as ZooKeeper does it: setData with the version
// this client last saw. On a conflict ZooKeeper returns only BadVersion, so
// the same operation reads the node to learn the current version (a second
// round trip that etcd's txn avoids with its else branch).
type zkCAS struct {
	*zkKV
	measure             *window
	attempts, succeeded atomic.Int64 // in the measured window
}

// zkUnknownVersion never matches a node's version (-1 would match any).
const zkUnknownVersion = -2

func newZKCAS(ctx context.Context, s setup) (driver, error) {
	kv, err := openZKKV(ctx, s, hotKeys)
	return &zkCAS{zkKV: kv, measure: s.measure}, err
}

func (d *zkCAS) worker(i int) func(context.Context) error {
	r, c, val := clientRand(i), d.conn(i), d.vals[i]
	seen := make([]int32, len(d.paths))
	for k := range seen {
		seen[k] = zkUnknownVersion
	}
	return func(context.Context) error {
		k := r.IntN(len(d.paths))
		st, err := c.Set(d.paths[k], val, seen[k])
		counted := !time.Now().Before(d.measure.start)
		if err == nil {
			seen[k] = st.Version
			if counted {
				d.attempts.Add(1)
				d.succeeded.Add(1)
			}
			return nil
		}
		if !errors.Is(err, zk.ErrBadVersion) {
			return err
		}
		if counted {
			d.attempts.Add(1)
		}
		_, st, err = c.Get(d.paths[k])
		if err != nil {
			return err
		}
		seen[k] = st.Version
		return nil
	}
}

func (d *zkCAS) result() (*Samples, int64, map[string]float64) {
	return nil, -1, casExtra(d.attempts.Load(), d.succeeded.Load())
}

// zkCRUD cycles each client through create, getData, setData and delete of
// a node of its own; each of the four is one operation. With createOnly
// every operation creates a new node and none is deleted, so the parent's
// child count grows for the whole run, as a queue or registry's would.
type zkCRUD struct {
	conns      []*zkConn
	parent     string
	vals       [][]byte
	createOnly bool
}

func newZKCRUD(createOnly bool) func(context.Context, setup) (driver, error) {
	return func(ctx context.Context, s setup) (driver, error) {
		conns, err := zkConns(ctx, s.t, s.w.Conns)
		if err != nil {
			return nil, err
		}
		if err := zkEnsure(conns[0], s.name); err != nil {
			closeZK(conns)
			return nil, err
		}
		d := &zkCRUD{conns: conns, parent: s.name, createOnly: createOnly}
		for i := range s.w.Clients {
			d.vals = append(d.vals, value(s.o.ValueSize, uint64(i)))
		}
		return d, nil
	}
}

func (d *zkCRUD) worker(i int) func(context.Context) error {
	c, val := d.conns[i%len(d.conns)], d.vals[i]
	step, n := 0, 0
	path := ""
	return func(context.Context) error {
		var err error
		switch step {
		case 0:
			n++
			path = fmt.Sprintf("%s/c%03d-%d", d.parent, i, n)
			_, err = c.Create(path, val, 0, zkACL)
			if d.createOnly {
				return err
			}
		case 1:
			_, _, err = c.Get(path)
		case 2:
			_, err = c.Set(path, val, -1)
		case 3:
			err = c.Delete(path, -1)
		}
		if err == nil {
			step = (step + 1) % 4
		} else {
			step = 0 // start over on a fresh node
		}
		return err
	}
}

func (d *zkCRUD) close() { closeZK(d.conns) }

// zkSessions opens a new session per operation on server i mod 3 and
// closes it: with ephemeral set, it creates an ephemeral node in between,
// which the session's close deletes.
type zkSessions struct {
	t         Target
	parent    string
	ephemeral bool
	val       []byte
}

func newZKSessions(ephemeral bool) func(context.Context, setup) (driver, error) {
	return func(ctx context.Context, s setup) (driver, error) {
		c, err := dialZK(ctx, s.t.ZKServers[0])
		if err != nil {
			return nil, err
		}
		defer c.close()
		if err := zkEnsure(c, s.name); err != nil {
			return nil, err
		}
		return &zkSessions{t: s.t, parent: s.name, ephemeral: ephemeral, val: value(s.o.ValueSize, 0)}, nil
	}
}

func (d *zkSessions) worker(i int) func(context.Context) error {
	server := d.t.ZKServers[i%len(d.t.ZKServers)]
	n := 0
	return func(ctx context.Context) error {
		n++
		c, err := dialZK(ctx, server)
		if err != nil {
			return err
		}
		defer c.close()
		if d.ephemeral {
			_, err = c.Create(fmt.Sprintf("%s/e%03d-%d", d.parent, i, n), d.val, zk.FlagEphemeral, zkACL)
		}
		return err
	}
}

func (d *zkSessions) close() {}
