// Package runner runs the side-by-side comparison: for each repetition it
// starts a fresh three-member cluster of every system, runs every workload
// against every system with the systems' order rotated between
// repetitions and workloads (so drift of a shared machine falls on all of
// them), measures each run's server CPU and peak memory from /proc, and
// stops the clusters it started, also on errors and interrupts.
package runner
