// Package chaos runs the fault harness: real `concord serve` processes
// whose member-to-member links all pass through TCP proxies the harness
// controls, a nemesis that kills, pauses, partitions, slows and breaks them
// on a schedule drawn from a printed seed, and the workloads of
// internal/check running through every member at the same time. After the
// faults it heals the cluster, waits until every member holds the same
// state, and has each workload's checker judge what its clients saw.
//
// TestChaos runs a short mode by default (three seeded runs of a minute)
// and a long one with -chaos.duration; TestBrokenBuildIsCaught shows that a
// binary serving stale reads fails the same checks. docs/chaos.md describes
// the faults, the proxies and how to replay a seed.
package chaos
