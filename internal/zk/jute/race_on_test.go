//go:build race

package jute

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = true
