package config

import (
	"maps"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; empty means valid
	}{
		{"default is valid", func(*Config) {}, ""},
		{"empty name", func(c *Config) { c.Name = "" }, "--name"},
		{"bad state", func(c *Config) { c.InitialClusterState = "old" }, "--initial-cluster-state"},
		{"name not in cluster", func(c *Config) { c.Name = "other" }, "does not list"},
		{"peer urls differ", func(c *Config) { c.ListenPeerURLs = []string{"http://127.0.0.1:9999"} }, "advertised peer URLs"},
		{"https refused", func(c *Config) { c.ListenClientURLs = []string{"https://127.0.0.1:2379"} }, "http://host:port"},
		{"no port", func(c *Config) { c.ListenClientURLs = []string{"http://127.0.0.1"} }, "http://host:port"},
		{"tiny election", func(c *Config) { c.ElectionTicks = 1 }, "--election-timeout"},
		{"huge request", func(c *Config) { c.MaxRequestBytes = 1 << 30 }, "--max-request-bytes"},
		{"zero txn ops", func(c *Config) { c.MaxTxnOps = 0 }, "--max-txn-ops"},
		{"dial override for a listed member", func(c *Config) { c.PeerDialAddrs = map[string]string{"default": "127.0.0.1:9"} }, ""},
		{"dial override for an unknown member", func(c *Config) { c.PeerDialAddrs = map[string]string{"other": "127.0.0.1:9"} }, "--peer-dial-addr"},
		{"zookeeper off", func(c *Config) { c.ZK.ListenAddr = "" }, ""},
		{"zookeeper address without port", func(c *Config) { c.ZK.ListenAddr = "127.0.0.1" }, "--listen-zk-addr"},
		{"zookeeper address without host", func(c *Config) { c.ZK.ListenAddr = ":2181" }, "--listen-zk-addr"},
		{"zookeeper timeouts crossed", func(c *Config) { c.ZK.MaxSessionTimeout = c.ZK.MinSessionTimeout / 2 }, "--zk-max-session-timeout"},
		{"zookeeper buffer above request size", func(c *Config) { c.ZK.MaxBuffer = c.MaxRequestBytes + 1 }, "--zk-max-buffer"},
		{"zookeeper rate zero", func(c *Config) { c.ZK.SessionRate = 0 }, "--zk-session-rate"},
		{"zookeeper connections negative", func(c *Config) { c.ZK.MaxClientCnxns = -1 }, "--zk-max-client-cnxns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.mutate(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseInitialCluster(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"a=http://127.0.0.1:1,b=http://127.0.0.1:2", "a=http://127.0.0.1:1,b=http://127.0.0.1:2", false},
		{"b=http://127.0.0.1:2, a=http://127.0.0.1:1,a=http://127.0.0.1:3", "a=http://127.0.0.1:1,a=http://127.0.0.1:3,b=http://127.0.0.1:2", false},
		{"", "", true},
		{"a", "", true},
		{"a=127.0.0.1:1", "", true},
	}
	for _, tt := range tests {
		m, err := ParseInitialCluster(tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("ParseInitialCluster(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
		if err == nil && FormatInitialCluster(m) != tt.want {
			t.Fatalf("ParseInitialCluster(%q) = %q, want %q", tt.in, FormatInitialCluster(m), tt.want)
		}
	}
}

func TestParsePeerDialAddrs(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"", map[string]string{}, ""},
		{"a=127.0.0.1:1, b=localhost:2", map[string]string{"a": "127.0.0.1:1", "b": "localhost:2"}, ""},
		{"a", nil, "not name=host:port"},
		{"=127.0.0.1:1", nil, "not name=host:port"},
		{"a=http://127.0.0.1:1", nil, "not host:port"},
		{"a=127.0.0.1", nil, "not host:port"},
		{"a=127.0.0.1:1,a=127.0.0.1:2", nil, "twice"},
	}
	for _, tt := range tests {
		got, err := ParsePeerDialAddrs(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePeerDialAddrs(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("ParsePeerDialAddrs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestPeerDialAddr(t *testing.T) {
	c := Default()
	c.PeerDialAddrs = map[string]string{"b": "127.0.0.1:7000"}
	for _, tt := range []struct{ name, url, want string }{
		{"a", "http://10.0.0.1:2380", "10.0.0.1:2380"},
		{"b", "http://10.0.0.2:2380", "127.0.0.1:7000"},
	} {
		if got, err := c.PeerDialAddr(tt.name, tt.url); err != nil || got != tt.want {
			t.Errorf("PeerDialAddr(%q, %q) = %q, %v; want %q", tt.name, tt.url, got, err, tt.want)
		}
	}
}
