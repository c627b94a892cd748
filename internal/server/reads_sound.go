//go:build !concord_broken_reads

package server

// brokenLocalReads is false in every real build: a linearizable read waits
// for a ReadIndex round (see reads_broken.go for the build that does not).
const brokenLocalReads = false
