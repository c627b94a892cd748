package systems

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// System starts clusters of one kind of server.
type System interface {
	// Name is how tables and plots call the system ("Concord", "etcd").
	Name() string
	// Version describes the software under test, for the results' header.
	Version() string
	// Start starts a three-member cluster with its data and logs under dir
	// and returns once it serves clients. On error nothing it started is
	// left running.
	Start(ctx context.Context, dir string) (*Cluster, error)
}

// Member is one running member of a cluster.
type Member struct {
	Name       string
	PID        int
	ClientAddr string // host:port its clients connect to
	DataDir    string
	LogPath    string
}

// Cluster is a running three-member cluster. Its methods may be called from
// any goroutine; Stop must be called exactly once.
type Cluster struct {
	System  string
	Members []Member
	// EtcdEndpoints are the members' etcd v3 client addresses (host:port), in
	// member order; empty when the system does not speak etcd v3.
	EtcdEndpoints []string
	// ZKServers are the members' ZooKeeper client addresses, in member
	// order; empty when the system does not speak the ZooKeeper protocol.
	ZKServers []string

	procs []*process
}

// PIDs returns the members' process IDs in member order.
func (c *Cluster) PIDs() []int {
	out := make([]int, len(c.procs))
	for i, p := range c.procs {
		out[i] = p.PID()
	}
	return out
}

// Check returns an error naming the first member that has exited.
func (c *Cluster) Check() error {
	for _, p := range c.procs {
		if !p.running() {
			return p.exitError()
		}
	}
	return nil
}

// Leader returns the index of the member that currently leads.
func (c *Cluster) Leader(ctx context.Context) (int, error) {
	if len(c.EtcdEndpoints) > 0 {
		return etcdLeader(ctx, c.EtcdEndpoints)
	}
	return zkLeader(c.ZKServers)
}

// Stop stops every member (concurrently) and reports members that had died
// on their own before it was called.
func (c *Cluster) Stop() error {
	errs := make(chan error, len(c.procs))
	for _, p := range c.procs {
		go func() { errs <- p.stop() }() // owner: Stop, which waits for all
	}
	var all []error
	for range c.procs {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// startMembers starts one process per spec under dir and stops those
// already started if one fails to start.
func startMembers(system, dir string, specs []memberSpec) (*Cluster, error) {
	c := &Cluster{System: system}
	for _, s := range specs {
		if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
			c.Stop()
			return nil, fmt.Errorf("systems: %s: %w", s.name, err)
		}
		logPath := filepath.Join(dir, s.name+".log")
		p, err := startProcess(s.name, s.dataDir, logPath, s.bin, s.args, s.env)
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.procs = append(c.procs, p)
		c.Members = append(c.Members, Member{Name: s.name, PID: p.PID(), ClientAddr: s.clientAddr, DataDir: s.dataDir, LogPath: logPath})
	}
	return c, nil
}

// memberSpec is how to start one member.
type memberSpec struct {
	name, bin, dataDir, clientAddr string
	args, env                      []string
}

// waitReady calls ready until it succeeds, a member exits, or ctx ends; on
// failure it stops the cluster.
func (c *Cluster) waitReady(ctx context.Context, ready func(context.Context) error) error {
	last := errors.New("not polled")
	for {
		if err := c.Check(); err != nil {
			c.Stop()
			return err
		}
		if last = ready(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			c.Stop()
			return fmt.Errorf("systems: %s not ready: %v (logs in %s)", c.System, last, filepath.Dir(c.Members[0].LogPath))
		case <-after(pollInterval):
		}
	}
}
