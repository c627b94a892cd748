//go:build tools

// Package tools pins modules the project uses before code imports them.
package tools

import (
	_ "github.com/anishathalye/porcupine"
	_ "github.com/google/btree"
	_ "go.etcd.io/etcd/api/v3/etcdserverpb"
	_ "go.etcd.io/etcd/client/v3"
	_ "go.etcd.io/raft/v3"
	_ "golang.org/x/sys/unix"
)
