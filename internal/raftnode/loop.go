package raftnode

import (
	"fmt"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// drainLimit bounds how many queued requests of one kind a loop iteration
// takes before it handles a Ready, so one flood cannot starve the others.
const drainLimit = 1024

// loop is the state owned by the raft goroutine.
type loop struct {
	n           *Node
	reads       *readBatcher
	applied     uint64
	snapIndex   uint64
	confState   raftpb.ConfState
	leader      bool
	lead        uint64
	campaigned  bool
	snapshoting bool
	// termStart is the index of the current leader term's first entry while
	// this member leads and has not yet told OnLeading; 0 otherwise.
	termStart uint64
	leading   bool
}

func (lp *loop) run() error {
	n := lp.n
	ticker := time.NewTicker(n.cfg.TickInterval)
	defer ticker.Stop()
	defer lp.reads.failAll(ErrStopped)
	defer lp.setLeading(false)
	for {
		select {
		case <-ticker.C:
			n.rn.Tick()
			lp.reads.tick(n.rn)
		case p := <-n.propc:
			lp.propose(p)
		case m := <-n.recvc:
			lp.step(m)
		case ch := <-n.readc:
			lp.reads.add(ch)
		case f := <-n.reportc:
			f(n.rn)
		case d := <-n.snapc:
			if err := lp.finishSnapshot(d); err != nil {
				return err
			}
		case <-n.stopc:
			return nil
		}
		lp.drain()
		lp.reads.issue(n.rn)
		for n.rn.HasReady() {
			if err := lp.ready(); err != nil {
				return err
			}
		}
		lp.maybeCampaign()
		lp.maybeSnapshot()
	}
}

// drain takes whatever else is queued, so that one Ready (and one fsync)
// covers as many proposals and messages as possible.
func (lp *loop) drain() {
	n := lp.n
	for i := 0; i < drainLimit; i++ {
		select {
		case p := <-n.propc:
			lp.propose(p)
		case m := <-n.recvc:
			lp.step(m)
		case ch := <-n.readc:
			lp.reads.add(ch)
		default:
			return
		}
	}
}

func (lp *loop) propose(p propRequest) {
	p.errc <- lp.n.rn.Propose(p.data)
}

func (lp *loop) step(m raftpb.Message) {
	if err := lp.n.rn.Step(m); err != nil {
		lp.n.log.Debug("raft refused message", "type", m.Type, "from", m.From, "err", err)
	}
}

// ready handles one Ready in the order documented in doc.go.
func (lp *loop) ready() error {
	n := lp.n
	rd := n.rn.Ready()
	if rd.SoftState != nil {
		wasLeader := lp.leader
		lp.leader = rd.SoftState.RaftState == raft.StateLeader
		if lp.leader && !wasLeader {
			// raft appended this term's empty entry when it became leader
			lp.termStart = lp.lastIndex(rd)
		}
		if !lp.leader {
			lp.termStart = 0
			lp.setLeading(false)
		}
		if rd.SoftState.Lead != lp.lead {
			lp.lead = rd.SoftState.Lead
			n.log.Info("leader changed", "leader", fmt.Sprintf("%x", lp.lead), "term", n.rn.BasicStatus().Term)
		}
	}
	if lp.leader {
		n.cfg.Transport.Send(rd.Messages)
	}
	snapshot := !raft.IsEmptySnap(rd.Snapshot)
	if snapshot {
		if err := n.snaps.Save(rd.Snapshot); err != nil {
			return fmt.Errorf("raftnode: save received snapshot: %w", err)
		}
		if err := n.wal.SaveSnapshot(rd.Snapshot.Metadata); err != nil {
			return fmt.Errorf("raftnode: mark received snapshot in wal: %w", err)
		}
	}
	// A Ready that only moves the commit index needs no fsync (raft's
	// MustSync): a commit index lost in a crash is learned again from the
	// leader. Skipping it saves one fdatasync per write on every member.
	if rd.MustSync {
		if err := n.wal.Save(rd.HardState, rd.Entries); err != nil {
			return fmt.Errorf("raftnode: persist %d entries: %w", len(rd.Entries), err)
		}
	}
	if snapshot {
		if err := lp.installSnapshot(rd.Snapshot); err != nil {
			return err
		}
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		return fmt.Errorf("raftnode: append to raft storage: %w", err)
	}
	if !lp.leader {
		n.cfg.Transport.Send(rd.Messages)
	}
	lp.reads.resolve(rd.ReadStates)
	if err := lp.apply(rd.CommittedEntries); err != nil {
		return err
	}
	if lp.termStart != 0 && lp.applied >= lp.termStart {
		lp.termStart = 0
		lp.setLeading(true)
	}
	n.rn.Advance(rd)
	n.publishStatus()
	return nil
}

// lastIndex is the index of the newest entry once rd's entries are stored.
func (lp *loop) lastIndex(rd raft.Ready) uint64 {
	if len(rd.Entries) > 0 {
		return rd.Entries[len(rd.Entries)-1].Index
	}
	last, _ := lp.n.storage.LastIndex()
	return last
}

func (lp *loop) setLeading(leading bool) {
	if leading == lp.leading {
		return
	}
	lp.leading = leading
	if lp.n.cfg.OnLeading != nil {
		lp.n.cfg.OnLeading(leading, lp.n.rn.BasicStatus().Term)
	}
}

func (lp *loop) installSnapshot(s raftpb.Snapshot) error {
	n := lp.n
	if err := n.storage.ApplySnapshot(s); err != nil {
		return fmt.Errorf("raftnode: apply received snapshot to storage: %w", err)
	}
	if err := n.cfg.StateMachine.Restore(s.Data); err != nil {
		return fmt.Errorf("raftnode: restore state from received snapshot %d: %w", s.Metadata.Index, err)
	}
	lp.applied, lp.snapIndex, lp.confState = s.Metadata.Index, s.Metadata.Index, s.Metadata.ConfState
	n.setApplied(lp.applied)
	n.snapshotsReceived.Add(1)
	n.log.Info("installed snapshot from leader", "index", s.Metadata.Index, "bytes", len(s.Data))
	return nil
}

func (lp *loop) apply(ents []raftpb.Entry) error {
	for len(ents) > 0 && ents[0].Index <= lp.applied {
		ents = ents[1:]
	}
	if len(ents) == 0 {
		return nil
	}
	if ents[0].Index != lp.applied+1 {
		return fmt.Errorf("raftnode: committed entry %d does not follow applied index %d", ents[0].Index, lp.applied)
	}
	for i := range ents {
		if err := lp.applyConfChange(&ents[i]); err != nil {
			return err
		}
	}
	lp.n.cfg.StateMachine.Apply(ents)
	lp.applied = ents[len(ents)-1].Index
	lp.n.setApplied(lp.applied)
	return nil
}

func (lp *loop) applyConfChange(e *raftpb.Entry) error {
	var cc raftpb.ConfChangeI
	switch e.Type {
	case raftpb.EntryConfChange:
		var c raftpb.ConfChange
		if err := c.Unmarshal(e.Data); err != nil {
			return fmt.Errorf("raftnode: decode conf change at %d: %w", e.Index, err)
		}
		cc = c
	case raftpb.EntryConfChangeV2:
		var c raftpb.ConfChangeV2
		if err := c.Unmarshal(e.Data); err != nil {
			return fmt.Errorf("raftnode: decode conf change at %d: %w", e.Index, err)
		}
		cc = c
	default:
		return nil
	}
	lp.confState = *lp.n.rn.ApplyConfChange(cc)
	return nil
}

// maybeCampaign makes a single-voter cluster elect itself at once instead
// of after an election timeout.
func (lp *loop) maybeCampaign() {
	if lp.campaigned || len(lp.confState.Voters) != 1 || lp.confState.Voters[0] != lp.n.cfg.ID {
		return
	}
	lp.campaigned = true
	if err := lp.n.rn.Campaign(); err != nil {
		lp.n.log.Warn("campaign as single voter", "err", err)
	}
}
