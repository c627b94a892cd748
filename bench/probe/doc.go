// Package probe measures the machine around a benchmark: the CPU time and
// peak memory of server processes (from /proc), the disk's fsync floor, the
// loopback round trip, and a description of the machine. Linux only.
package probe
