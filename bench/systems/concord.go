package systems

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Concord runs `concord serve` members from a binary built from this
// checkout.
type Concord struct {
	Bin      string   // path to the concord binary
	Revision string   // what the binary was built from, for Version
	Extra    []string // flags added to every `concord serve`
}

var _ System = (*Concord)(nil)

func (c *Concord) Name() string    { return "Concord" }
func (c *Concord) Version() string { return "concord " + c.Revision }

// BuildConcord builds ./cmd/concord of the module rooted at root into out
// and returns the checkout's revision (`git describe --always --dirty`).
func BuildConcord(ctx context.Context, root, out string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/concord")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("systems: go build ./cmd/concord: %v\n%s", err, b)
	}
	rev, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown revision", nil
	}
	return strings.TrimSpace(string(rev)), nil
}

// Start starts three members named concord-1..3, each serving the etcd
// API and the ZooKeeper protocol on ports of its own.
func (c *Concord) Start(ctx context.Context, dir string) (*Cluster, error) {
	ports, err := FreePorts(9)
	if err != nil {
		return nil, err
	}
	var peers []string
	for i := range 3 {
		peers = append(peers, fmt.Sprintf("concord-%d=http://127.0.0.1:%d", i+1, ports[3*i+1]))
	}
	var specs []memberSpec
	var endpoints, zkServers []string
	for i := range 3 {
		name := fmt.Sprintf("concord-%d", i+1)
		client := fmt.Sprintf("127.0.0.1:%d", ports[3*i])
		zk := fmt.Sprintf("127.0.0.1:%d", ports[3*i+2])
		args := append([]string{"serve",
			"--name", name,
			"--data-dir", filepath.Join(dir, name),
			"--listen-client-urls", "http://" + client,
			"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", ports[3*i+1]),
			"--listen-zk-addr", zk,
			"--initial-cluster", strings.Join(peers, ","),
			"--initial-cluster-token", "concord-bench",
		}, c.Extra...)
		specs = append(specs, memberSpec{name: name, bin: c.Bin, dataDir: filepath.Join(dir, name), clientAddr: client, args: args})
		endpoints = append(endpoints, client)
		zkServers = append(zkServers, zk)
	}
	cl, err := startMembers(c.Name(), dir, specs)
	if err != nil {
		return nil, err
	}
	cl.EtcdEndpoints, cl.ZKServers = endpoints, zkServers
	return cl, cl.waitReady(ctx, func(ctx context.Context) error { return etcdReady(ctx, endpoints) })
}
