// Package etcdapi serves the etcd v3 gRPC API (KV, and the parts of
// Maintenance and Cluster that exist so far) over a Backend. Each RPC
// validates its request with etcd's rules, calls the backend, and maps the
// error through the one table in errors.go, so that etcd clients see the
// codes and messages they already understand.
package etcdapi
