package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/server"
)

func serve(args []string) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Name, "name", cfg.Name, "human-readable name of this member")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for the WAL, snapshots and membership")
	listenClient := fs.String("listen-client-urls", strings.Join(cfg.ListenClientURLs, ","), "URLs to serve the etcd v3 client API on")
	advertiseClient := fs.String("advertise-client-urls", "", "client URLs to publish to the cluster (default: --listen-client-urls)")
	listenPeer := fs.String("listen-peer-urls", strings.Join(cfg.ListenPeerURLs, ","), "URL to listen on for other members")
	advertisePeer := fs.String("initial-advertise-peer-urls", "", "this member's peer URLs as listed in --initial-cluster (default: --listen-peer-urls)")
	initialCluster := fs.String("initial-cluster", "", "the bootstrap cluster, name=peerURL,... (default: this member alone)")
	fs.StringVar(&cfg.InitialClusterState, "initial-cluster-state", cfg.InitialClusterState, "new (bootstrap a cluster) or existing (join one)")
	fs.StringVar(&cfg.InitialClusterToken, "initial-cluster-token", cfg.InitialClusterToken, "distinguishes clusters bootstrapped from the same member list")
	heartbeat := fs.Int("heartbeat-interval", int(cfg.TickInterval/time.Millisecond), "raft heartbeat interval in milliseconds")
	election := fs.Int("election-timeout", int(cfg.TickInterval/time.Millisecond)*cfg.ElectionTicks, "raft election timeout in milliseconds")
	fs.Uint64Var(&cfg.SnapshotCount, "snapshot-count", cfg.SnapshotCount, "applied entries that trigger a snapshot")
	fs.Uint64Var(&cfg.SnapshotCatchUpEntries, "snapshot-catchup-entries", cfg.SnapshotCatchUpEntries, "entries kept behind a snapshot for slow followers")
	fs.IntVar(&cfg.MaxRequestBytes, "max-request-bytes", cfg.MaxRequestBytes, "largest client request accepted, in bytes")
	fs.IntVar(&cfg.MaxTxnOps, "max-txn-ops", cfg.MaxTxnOps, "most operations in one txn")
	fs.DurationVar(&cfg.WatchProgressInterval, "watch-progress-notify-interval", cfg.WatchProgressInterval, "period of progress notifications to watchers that ask for them")
	peerDial := fs.String("peer-dial-addr", "", "for fault testing: name=host:port,... dials those members at these addresses (a proxy) instead of their advertised peer URLs")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	zkParsed := zkFlags(fs, &cfg.ZK)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	zkParsed()
	cfg.ListenClientURLs = splitList(*listenClient)
	cfg.AdvertiseClientURLs = splitList(*advertiseClient)
	cfg.ListenPeerURLs = splitList(*listenPeer)
	cfg.InitialAdvertisePeerURLs = splitList(*advertisePeer)
	cfg.TickInterval = time.Duration(*heartbeat) * time.Millisecond
	if *heartbeat > 0 {
		cfg.ElectionTicks = *election / *heartbeat
	}
	if *initialCluster == "" {
		cfg.InitialCluster = map[string][]string{cfg.Name: cfg.PeerURLs()}
	} else {
		m, err := config.ParseInitialCluster(*initialCluster)
		if err != nil {
			return err
		}
		cfg.InitialCluster = m
	}
	dial, err := config.ParsePeerDialAddrs(*peerDial)
	if err != nil {
		return err
	}
	cfg.PeerDialAddrs = dial
	if err := cfg.Validate(); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return server.Run(ctx, cfg, server.Options{Logger: log})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
