package main

import (
	"flag"
	"strings"
	"time"

	"github.com/concordkv/concord/internal/config"
)

// zkFlags registers the ZooKeeper front end's flags on fs; the returned
// function copies the parsed values into z.
func zkFlags(fs *flag.FlagSet, z *config.ZooKeeper) func() {
	fs.StringVar(&z.ListenAddr, "listen-zk-addr", z.ListenAddr, "host:port to serve the ZooKeeper protocol on (empty: off)")
	minTimeout := fs.Int("zk-min-session-timeout", int(z.MinSessionTimeout/time.Millisecond), "shortest ZooKeeper session timeout granted, in milliseconds")
	maxTimeout := fs.Int("zk-max-session-timeout", int(z.MaxSessionTimeout/time.Millisecond), "longest ZooKeeper session timeout granted, in milliseconds")
	fs.IntVar(&z.MaxBuffer, "zk-max-buffer", z.MaxBuffer, "jute.maxbuffer: largest ZooKeeper request frame accepted and reply sent, in bytes")
	fs.IntVar(&z.MaxClientCnxns, "zk-max-client-cnxns", z.MaxClientCnxns, "most ZooKeeper connections from one IP address (0: no limit)")
	words := fs.String("zk-4lw-whitelist", strings.Join(z.FourLetterWords, ","), "four-letter words answered on the ZooKeeper port, comma-separated, or * for all")
	fs.IntVar(&z.SessionRate, "zk-session-rate", z.SessionRate, "requests per second one ZooKeeper connection may send before it is slowed down")
	fs.IntVar(&z.MaxWatches, "zk-max-watches", z.MaxWatches, "most watches one ZooKeeper connection may hold")
	return func() {
		z.MinSessionTimeout = time.Duration(*minTimeout) * time.Millisecond
		z.MaxSessionTimeout = time.Duration(*maxTimeout) * time.Millisecond
		z.FourLetterWords = splitList(*words)
	}
}
