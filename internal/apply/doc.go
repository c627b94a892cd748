// Package apply turns committed raft entries into state: it decodes the
// versioned command envelope, dispatches each command to its handler
// through one table, and hands the result to the waiting caller. It also
// answers reads (Range) with the same request-to-store translation the
// writes use, and writes and restores snapshots of the whole state.
//
// Apply is deterministic: handlers read no clock, randomness or network,
// so every member that applies the same entries holds the same state.
package apply
