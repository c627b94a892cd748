package wal

import (
	"fmt"
	"slices"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// replay rebuilds the log's logical content from its records, applied in the order they
// were written. Later records win:
//
//   - an entry at index i replaces every entry at i or later (a new leader overwrote an
//     uncommitted suffix) and is appended;
//   - a hard state replaces the previous one;
//   - a snapshot marker at index s replaces the previous marker and discards entries at s or
//     earlier, which the snapshot covers.
//
// For example, the records e1 e2 e3 hs(commit=1) e2' e3' marker(1) e4 replay to the hard
// state (commit=1), the marker at 1 and the entries e2' e3' e4.
//
// An entry that neither follows nor overlaps the entries held so far starts a new run: the
// earlier entries cannot be reached from any snapshot unless a later marker covers the gap,
// which finish checks. Such jumps are legitimate in two cases: the node saved a snapshot
// from the leader before the entries that follow it, and ReleaseTo deleted the segments
// holding the entries just before a retained segment.
type replay struct {
	snap    raftpb.SnapshotMetadata
	hs      raftpb.HardState
	ents    []raftpb.Entry // contiguous indexes
	markers []uint64       // index of every marker applied, in order
	segMax  uint64         // largest entry index applied since the caller last reset it
}

// apply applies one record that is not a segment header.
func (r *replay) apply(rec record) error {
	switch rec.typ {
	case typeEntry:
		var e raftpb.Entry
		if err := e.Unmarshal(rec.data); err != nil {
			return fmt.Errorf("decode entry: %w", err)
		}
		r.appendEntry(e)
	case typeHardState:
		var hs raftpb.HardState
		if err := hs.Unmarshal(rec.data); err != nil {
			return fmt.Errorf("decode hard state: %w", err)
		}
		r.hs = hs
	case typeSnapshot:
		var m raftpb.SnapshotMetadata
		if err := m.Unmarshal(rec.data); err != nil {
			return fmt.Errorf("decode snapshot marker: %w", err)
		}
		if m.Index < r.snap.Index {
			return fmt.Errorf("snapshot marker at index %d follows one at %d", m.Index, r.snap.Index)
		}
		r.snap = m
		r.markers = append(r.markers, m.Index)
		r.compact(m.Index)
	default:
		return fmt.Errorf("unknown record type %d", rec.typ)
	}
	return nil
}

// appendEntry adds e, replacing any entries at e.Index or later.
func (r *replay) appendEntry(e raftpb.Entry) {
	r.segMax = max(r.segMax, e.Index)
	if n := len(r.ents); n > 0 {
		first := r.ents[0].Index
		if e.Index >= first && e.Index <= r.ents[n-1].Index+1 {
			r.ents = append(r.ents[:e.Index-first], e)
			return
		}
	}
	r.ents = append(r.ents[:0], e)
}

// compact discards the entries at index or earlier.
func (r *replay) compact(index uint64) {
	n := len(r.ents)
	switch {
	case n == 0 || index < r.ents[0].Index:
	case index >= r.ents[n-1].Index:
		r.ents = r.ents[:0]
	default:
		r.ents = r.ents[index-r.ents[0].Index+1:]
	}
}

// finish drops the entries the final snapshot marker covers, checks that the rest continue
// it without a gap, and raises the hard state's commit index to the marker's index if it is
// lower. That happens after a crash between SaveSnapshot and the Save of the Ready's hard
// state; a snapshot holds only committed entries, so the raise states a fact, and raft
// refuses to restart from a hard state that commits less than its snapshot.
func (r *replay) finish() error {
	if !raft.IsEmptyHardState(r.hs) {
		r.hs.Commit = max(r.hs.Commit, r.snap.Index)
	}
	r.compact(r.snap.Index)
	if len(r.ents) > 0 && r.ents[0].Index != r.snap.Index+1 {
		return fmt.Errorf("%w: entries resume at index %d but the snapshot marker is at index %d",
			ErrCorrupt, r.ents[0].Index, r.snap.Index)
	}
	if len(r.ents) == 0 {
		r.ents = nil
	}
	r.ents = slices.Clip(r.ents)
	return nil
}
