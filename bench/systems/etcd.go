package systems

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Etcd runs members of an installed etcd (Debian's etcd-server package:
// /usr/bin/etcd, 3.4) with its defaults: the WAL is fsynced on every
// commit, no auto-compaction, 100 ms heartbeat, 1 s election timeout.
type Etcd struct {
	Bin string // path to etcd; "etcd" on PATH when empty
}

var _ System = (*Etcd)(nil)

func (e *Etcd) Name() string { return "etcd" }

func (e *Etcd) bin() string {
	if e.Bin == "" {
		return "etcd"
	}
	return e.Bin
}

// Installed reports why etcd cannot be started, or nil.
func (e *Etcd) Installed() error {
	if _, err := exec.LookPath(e.bin()); err != nil {
		return fmt.Errorf("systems: etcd not installed (run scripts/install-deps.sh): %w", err)
	}
	return nil
}

// Version returns the first line of `etcd --version` and the Debian
// package version when there is one.
func (e *Etcd) Version() string {
	out, err := exec.Command(e.bin(), "--version").Output()
	if err != nil {
		return "etcd (version unknown: " + err.Error() + ")"
	}
	v, _, _ := strings.Cut(string(out), "\n")
	return v + debVersion("etcd-server")
}

// Start starts three members named etcd-1..3.
func (e *Etcd) Start(ctx context.Context, dir string) (*Cluster, error) {
	bin, err := exec.LookPath(e.bin())
	if err != nil {
		return nil, fmt.Errorf("systems: etcd not installed (run scripts/install-deps.sh): %w", err)
	}
	ports, err := FreePorts(6)
	if err != nil {
		return nil, err
	}
	var peers []string
	for i := range 3 {
		peers = append(peers, fmt.Sprintf("etcd-%d=http://127.0.0.1:%d", i+1, ports[2*i+1]))
	}
	var specs []memberSpec
	var endpoints []string
	for i := range 3 {
		name := fmt.Sprintf("etcd-%d", i+1)
		client := fmt.Sprintf("127.0.0.1:%d", ports[2*i])
		peer := fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1])
		args := []string{
			"--name", name,
			"--data-dir", filepath.Join(dir, name),
			"--listen-client-urls", "http://" + client,
			"--advertise-client-urls", "http://" + client,
			"--listen-peer-urls", peer,
			"--initial-advertise-peer-urls", peer,
			"--initial-cluster", strings.Join(peers, ","),
			"--initial-cluster-token", "etcd-bench",
			"--initial-cluster-state", "new",
			"--logger", "zap",
		}
		specs = append(specs, memberSpec{name: name, bin: bin, dataDir: filepath.Join(dir, name), clientAddr: client, args: args})
		endpoints = append(endpoints, client)
	}
	cl, err := startMembers(e.Name(), dir, specs)
	if err != nil {
		return nil, err
	}
	cl.EtcdEndpoints = endpoints
	return cl, cl.waitReady(ctx, func(ctx context.Context) error { return etcdReady(ctx, endpoints) })
}

// debVersion returns " (Debian package <version>)" for an installed
// package, or "".
func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil || len(out) == 0 {
		return ""
	}
	return " (Debian " + pkg + " " + string(out) + ")"
}
