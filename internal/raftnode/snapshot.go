package raftnode

import (
	"bytes"
	"errors"
	"fmt"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

type snapDone struct {
	snap raftpb.Snapshot
	err  error
}

// maybeSnapshot starts writing a snapshot once SnapshotCount entries were
// applied since the last one. The state is captured here, on the loop, as a
// copy-on-write view; it is serialised and saved on another goroutine so
// that applying continues meanwhile.
func (lp *loop) maybeSnapshot() {
	n := lp.n
	if lp.snapshoting || lp.applied-lp.snapIndex < n.cfg.SnapshotCount {
		return
	}
	term, err := n.storage.Term(lp.applied)
	if err != nil {
		n.log.Warn("snapshot: term of applied index", "index", lp.applied, "err", err)
		return
	}
	write := n.cfg.StateMachine.Snapshot()
	meta := raftpb.SnapshotMetadata{Index: lp.applied, Term: term, ConfState: lp.confState}
	lp.snapshoting = true
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		var buf bytes.Buffer
		d := snapDone{err: write(&buf)}
		d.snap = raftpb.Snapshot{Data: buf.Bytes(), Metadata: meta}
		if d.err == nil {
			d.err = n.snaps.Save(d.snap)
		}
		select {
		case n.snapc <- d:
		case <-n.done:
		}
	}()
}

// finishSnapshot makes a written snapshot the base of the log: raft storage
// serves it to followers that are too far behind, the WAL records it and
// drops the segments it replaces, and the in-memory log keeps only
// SnapshotCatchUpEntries behind it.
func (lp *loop) finishSnapshot(d snapDone) error {
	n := lp.n
	lp.snapshoting = false
	if d.err != nil {
		return fmt.Errorf("raftnode: write snapshot at %d: %w", d.snap.Metadata.Index, d.err)
	}
	idx := d.snap.Metadata.Index
	if _, err := n.storage.CreateSnapshot(idx, &d.snap.Metadata.ConfState, d.snap.Data); err != nil {
		if errors.Is(err, raft.ErrSnapOutOfDate) {
			return nil // a newer snapshot arrived from the leader meanwhile
		}
		return fmt.Errorf("raftnode: install snapshot %d in storage: %w", idx, err)
	}
	if err := n.wal.SaveSnapshot(d.snap.Metadata); err != nil {
		return fmt.Errorf("raftnode: mark snapshot %d in wal: %w", idx, err)
	}
	if idx > n.cfg.SnapshotCatchUpEntries {
		if err := n.storage.Compact(idx - n.cfg.SnapshotCatchUpEntries); err != nil && !errors.Is(err, raft.ErrCompacted) {
			return fmt.Errorf("raftnode: compact raft log to %d: %w", idx-n.cfg.SnapshotCatchUpEntries, err)
		}
	}
	if err := n.wal.ReleaseTo(idx); err != nil {
		return fmt.Errorf("raftnode: release wal before %d: %w", idx, err)
	}
	lp.snapIndex = idx
	n.log.Info("snapshot saved", "index", idx, "bytes", len(d.snap.Data))
	return nil
}
