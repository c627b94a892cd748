package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/membership"
)

// clusterFile records, at bootstrap, who the members are. A restarted
// member reads it instead of --initial-cluster, as etcd ignores its
// initial-cluster flags once it has data.
const clusterFile = "cluster.json"

type clusterInfo struct {
	ClusterID uint64              `json:"clusterID"`
	MemberID  uint64              `json:"memberID"`
	Members   []membership.Member `json:"members"`
	// Bootstrapped is false for a member that joined an existing cluster:
	// it must not create the initial membership entries itself.
	Bootstrapped bool `json:"bootstrapped"`
}

// loadOrCreateCluster returns the membership recorded in dir, or derives it
// from cfg and records it when dir holds none yet.
func loadOrCreateCluster(dir string, cfg *config.Config) (clusterInfo, error) {
	path := filepath.Join(dir, clusterFile)
	b, err := os.ReadFile(path)
	if err == nil {
		var ci clusterInfo
		if err := json.Unmarshal(b, &ci); err != nil {
			return clusterInfo{}, fmt.Errorf("server: read %s: %w", path, err)
		}
		return ci, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return clusterInfo{}, fmt.Errorf("server: read %s: %w", path, err)
	}
	ci := deriveCluster(cfg)
	b, err = json.MarshalIndent(ci, "", "  ")
	if err != nil {
		return clusterInfo{}, fmt.Errorf("server: encode cluster info: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return clusterInfo{}, fmt.Errorf("server: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return clusterInfo{}, fmt.Errorf("server: rename %s: %w", tmp, err)
	}
	return ci, nil
}

func deriveCluster(cfg *config.Config) clusterInfo {
	names := make([]string, 0, len(cfg.InitialCluster))
	for n := range cfg.InitialCluster {
		names = append(names, n)
	}
	sort.Strings(names)
	ci := clusterInfo{Bootstrapped: cfg.InitialClusterState == "new"}
	var ids []uint64
	for _, n := range names {
		m := membership.Member{ID: membership.MemberID(cfg.InitialCluster[n], cfg.InitialClusterToken), Name: n, PeerURLs: cfg.InitialCluster[n]}
		ci.Members = append(ci.Members, m)
		ids = append(ids, m.ID)
		if n == cfg.Name {
			ci.MemberID = m.ID
		}
	}
	ci.ClusterID = membership.ClusterID(ids, cfg.InitialClusterToken)
	return ci
}
