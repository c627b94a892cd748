// Package config holds the configuration of a Concord member: its defaults,
// the limits every client-controlled size and count is checked against, and
// Validate, which explains what is wrong with a configuration in words an
// operator can act on.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Limits a client can reach. Every one of them is named here so that the
// documentation (docs/limits.md) and the code agree.
const (
	// DefaultMaxRequestBytes is etcd's default limit on one request (1.5 MiB).
	DefaultMaxRequestBytes = 1536 * 1024
	// GRPCOverheadBytes is added to MaxRequestBytes for the gRPC receive limit,
	// as etcd does, so that a request just under the limit is not refused by
	// gRPC before Concord can answer with a clear error.
	GRPCOverheadBytes = 512 * 1024
	// DefaultMaxTxnOps is etcd's default limit on operations in one txn.
	DefaultMaxTxnOps = 128
	// DefaultSnapshotCount is how many applied entries trigger a snapshot.
	DefaultSnapshotCount = 10000
	// DefaultSnapshotCatchUpEntries is how many entries are kept in the log
	// behind a snapshot so that a slightly slow follower needs no snapshot.
	DefaultSnapshotCatchUpEntries = 5000
	// DefaultRequestTimeout bounds how long the server waits for a write to
	// be applied or a linearizable read to be confirmed.
	DefaultRequestTimeout = 5 * time.Second
)

// Config is the configuration of one member.
type Config struct {
	// Name is the human-readable name of this member; it must appear in
	// InitialCluster.
	Name string
	// DataDir holds the WAL, snapshots and membership of this member.
	DataDir string
	// ListenClientURLs are the URLs the client API (etcd v3 gRPC) listens on.
	ListenClientURLs []string
	// AdvertiseClientURLs are published to the cluster (MemberList); when
	// empty, ListenClientURLs are published.
	AdvertiseClientURLs []string
	// ListenPeerURLs are the URLs other members connect to.
	ListenPeerURLs []string
	// InitialAdvertisePeerURLs are this member's peer URLs as listed in
	// InitialCluster; when empty, ListenPeerURLs.
	InitialAdvertisePeerURLs []string
	// InitialCluster maps member name to its peer URLs.
	InitialCluster map[string][]string
	// InitialClusterState is "new" when bootstrapping a cluster, "existing"
	// when joining one that already runs.
	InitialClusterState string
	// InitialClusterToken distinguishes clusters bootstrapped from the same
	// member list; it is mixed into member and cluster IDs.
	InitialClusterToken string

	// TickInterval is one raft tick (etcd's --heartbeat-interval).
	TickInterval time.Duration
	// ElectionTicks is the election timeout in ticks (etcd's
	// --election-timeout / --heartbeat-interval).
	ElectionTicks int
	// SnapshotCount is how many applied entries trigger a snapshot.
	SnapshotCount uint64
	// SnapshotCatchUpEntries is how many entries stay in the log behind a
	// snapshot.
	SnapshotCatchUpEntries uint64

	// MaxRequestBytes limits the size of one client request.
	MaxRequestBytes int
	// MaxTxnOps limits the operations in one txn (compare, success and
	// failure lists are checked separately, as etcd does).
	MaxTxnOps int
	// RequestTimeout bounds a write or a linearizable read on the server.
	RequestTimeout time.Duration
	// WatchProgressInterval is the period of progress notifications to
	// watchers that asked for them (etcd's --watch-progress-notify-interval).
	WatchProgressInterval time.Duration

	// PeerDialAddrs exists for fault testing: it maps a member's name to the
	// host:port this member dials to reach it, instead of the host:port of
	// its advertised peer URL. The fault harness (test/chaos) points every
	// member-to-member link at a proxy it controls this way; member IDs,
	// which derive from the advertised URLs, are unchanged.
	PeerDialAddrs map[string]string

	// ZK configures the ZooKeeper protocol front end (zookeeper.go).
	ZK ZooKeeper
}

// Default returns the configuration of `concord serve` with no flags: a
// ready single-member cluster with its data in ./concord-data.
func Default() Config {
	return Config{
		Name:                   "default",
		DataDir:                "concord-data",
		ListenClientURLs:       []string{"http://127.0.0.1:2379"},
		ListenPeerURLs:         []string{"http://127.0.0.1:2380"},
		InitialCluster:         map[string][]string{"default": {"http://127.0.0.1:2380"}},
		InitialClusterState:    "new",
		InitialClusterToken:    "concord-cluster",
		TickInterval:           100 * time.Millisecond,
		ElectionTicks:          10,
		SnapshotCount:          DefaultSnapshotCount,
		SnapshotCatchUpEntries: DefaultSnapshotCatchUpEntries,
		MaxRequestBytes:        DefaultMaxRequestBytes,
		MaxTxnOps:              DefaultMaxTxnOps,
		RequestTimeout:         DefaultRequestTimeout,
		WatchProgressInterval:  10 * time.Minute,
		ZK:                     DefaultZooKeeper(),
	}
}

// ClientURLs returns the client URLs published to the cluster.
func (c *Config) ClientURLs() []string {
	if len(c.AdvertiseClientURLs) > 0 {
		return c.AdvertiseClientURLs
	}
	return c.ListenClientURLs
}

// PeerURLs returns this member's advertised peer URLs.
func (c *Config) PeerURLs() []string {
	if len(c.InitialAdvertisePeerURLs) > 0 {
		return c.InitialAdvertisePeerURLs
	}
	return c.ListenPeerURLs
}

// Validate reports the first problem with c, in words that name the flag.
func (c *Config) Validate() error {
	switch {
	case c.Name == "":
		return errors.New("config: --name must not be empty")
	case c.DataDir == "":
		return errors.New("config: --data-dir must not be empty")
	case len(c.ListenClientURLs) == 0:
		return errors.New("config: --listen-client-urls must name at least one URL")
	case len(c.ListenPeerURLs) == 0:
		return errors.New("config: --listen-peer-urls must name at least one URL")
	case c.InitialClusterState != "new" && c.InitialClusterState != "existing":
		return fmt.Errorf("config: --initial-cluster-state is %q; want new or existing", c.InitialClusterState)
	case c.TickInterval < time.Millisecond:
		return fmt.Errorf("config: --heartbeat-interval %v is below 1ms", c.TickInterval)
	case c.ElectionTicks < 3:
		return fmt.Errorf("config: --election-timeout must be at least 3 heartbeat intervals (is %d)", c.ElectionTicks)
	case c.SnapshotCount == 0:
		return errors.New("config: --snapshot-count must be positive")
	case c.MaxRequestBytes <= 0 || c.MaxRequestBytes > 64<<20:
		return fmt.Errorf("config: --max-request-bytes %d is outside 1..64MiB", c.MaxRequestBytes)
	case c.MaxTxnOps <= 0 || c.MaxTxnOps > 1<<16:
		return fmt.Errorf("config: --max-txn-ops %d is outside 1..65536", c.MaxTxnOps)
	case c.RequestTimeout <= 0:
		return errors.New("config: request timeout must be positive")
	case c.WatchProgressInterval < 10*time.Millisecond:
		return fmt.Errorf("config: --watch-progress-notify-interval %v is below 10ms", c.WatchProgressInterval)
	}
	for _, u := range append(append([]string{}, c.ListenClientURLs...), c.ListenPeerURLs...) {
		if _, err := HostPort(u); err != nil {
			return err
		}
	}
	urls, ok := c.InitialCluster[c.Name]
	if !ok {
		return fmt.Errorf("config: --initial-cluster does not list this member's --name %q", c.Name)
	}
	if !sameSet(urls, c.PeerURLs()) {
		return fmt.Errorf("config: --initial-cluster lists %q as %v but its advertised peer URLs are %v", c.Name, urls, c.PeerURLs())
	}
	if err := c.ZK.validate(c.MaxRequestBytes); err != nil {
		return err
	}
	for name := range c.PeerDialAddrs {
		if _, ok := c.InitialCluster[name]; !ok {
			return fmt.Errorf("config: --peer-dial-addr names %q, which --initial-cluster does not list", name)
		}
	}
	return nil
}

// PeerDialAddr returns the host:port this member dials to reach member name,
// whose first advertised peer URL is peerURL: its --peer-dial-addr override
// if there is one, else the URL's host:port.
func (c *Config) PeerDialAddr(name, peerURL string) (string, error) {
	if addr, ok := c.PeerDialAddrs[name]; ok {
		return addr, nil
	}
	return HostPort(peerURL)
}

// ParsePeerDialAddrs parses --peer-dial-addr, "name=host:port,...".
func ParsePeerDialAddrs(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, addr, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("config: --peer-dial-addr entry %q is not name=host:port", part)
		}
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("config: --peer-dial-addr entry %q: %q is not host:port", part, addr)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("config: --peer-dial-addr names %q twice", name)
		}
		out[name] = addr
	}
	return out, nil
}

// ParseInitialCluster parses "name=url,name=url,..."; a name may appear more
// than once to give a member several URLs.
func ParseInitialCluster(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, u, ok := strings.Cut(part, "=")
		if !ok || name == "" || u == "" {
			return nil, fmt.Errorf("config: --initial-cluster entry %q is not name=url", part)
		}
		if _, err := HostPort(u); err != nil {
			return nil, err
		}
		out[name] = append(out[name], u)
	}
	if len(out) == 0 {
		return nil, errors.New("config: --initial-cluster is empty")
	}
	return out, nil
}

// FormatInitialCluster is the inverse of ParseInitialCluster, in name order.
func FormatInitialCluster(m map[string][]string) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		for _, u := range m[n] {
			parts = append(parts, n+"="+u)
		}
	}
	return strings.Join(parts, ",")
}

// HostPort returns the host:port of an http:// URL (the scheme etcd uses for
// plain-text listeners).
func HostPort(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("config: URL %q: %w", raw, err)
	}
	if u.Scheme != "http" || u.Host == "" || u.Port() == "" {
		return "", fmt.Errorf("config: URL %q must look like http://host:port (TLS is not supported yet)", raw)
	}
	return u.Host, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
		if seen[x] < 0 {
			return false
		}
	}
	return true
}
