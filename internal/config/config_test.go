package config

import (
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
