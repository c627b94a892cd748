package check

// watchWrite is one put or delete a writer sent. Event.Rev is set only
// when the write was acknowledged.
type watchWrite struct {
	Event   event   `json:"event"`
	Outcome outcome `json:"outcome"`
}

// watcherLog is what one watcher received, in order.
type watcherLog struct {
	Events []event `json:"events"`
	// Resumed counts the events at the end of Events that Check read by
	// resuming the watch after Run (0 if the watcher had seen everything).
	Resumed int `json:"resumed,omitempty"`
	// Compacted is the compaction revision of a watch the store cancelled
	// because its history was compacted.
	Compacted int64 `json:"compacted,omitempty"`
	// Canceled describes any other cancellation by the store.
	Canceled string `json:"canceled,omitempty"`
}

// last is the revision of the last event received, or 0.
func (l *watcherLog) last() int64 {
	if len(l.Events) == 0 {
		return 0
	}
	return l.Events[len(l.Events)-1].Rev
}

// watchLog is everything the watch checker judges: the writes, the store's
// history of the prefix, and what each watcher saw.
type watchLog struct {
	Writes   []watchWrite  `json:"writes"`
	History  []event       `json:"history"`
	Watchers []*watcherLog `json:"watchers"`
}

// writeID identifies a write in the history without its create revision.
type writeID struct {
	rev    int64
	key    string
	delete bool
	value  string
}

func idOf(e event) writeID { return writeID{e.Rev, e.Key, e.Delete, e.Value} }

// checkWatch judges a watch log and returns its violations and the number
// of acknowledged writes missing from the history.
//
//   - Every acknowledged write is in the history; no failed put is; every
//     put in the history was sent by a writer.
//   - Every watcher saw exactly the history: every event, in order, once.
//     A watcher the store cancelled must have seen a prefix of it.
func checkWatch(l watchLog) ([]string, int) {
	var r report
	inHistory := map[writeID]bool{}
	for _, e := range l.History {
		inHistory[idOf(e)] = true
	}
	sent := map[string]outcome{} // put value -> outcome (values are unique)
	lost := 0
	for _, wr := range l.Writes {
		if !wr.Event.Delete {
			sent[wr.Event.Value] = wr.Outcome
		}
		if wr.Outcome == acked && !inHistory[idOf(wr.Event)] {
			lost++
			r.add("acknowledged %s is not in the history", wr.Event)
		}
	}
	for _, e := range l.History {
		if o, ok := sent[e.Value]; !e.Delete && (!ok || o == failed) {
			r.add("history holds %s, which no writer sent (or whose write failed)", e)
		}
	}
	for i, wl := range l.Watchers {
		if wl.Canceled != "" {
			r.add("watcher %d was %s after %d events", i, wl.Canceled, len(wl.Events))
		}
		compareWatcher(&r, i, wl, l.History)
	}
	return r.violations(), lost
}

// compareWatcher reports the first place where a watcher's events depart
// from the history: an event out of revision order, the same event twice,
// an event missed, or one the history does not have.
func compareWatcher(r *report, i int, wl *watcherLog, history []event) {
	got := wl.Events
	for j := 1; j < len(got); j++ {
		switch {
		case got[j].Rev < got[j-1].Rev:
			r.add("watcher %d saw %s after %s: out of order", i, got[j], got[j-1])
			return
		case got[j] == got[j-1]:
			r.add("watcher %d saw %s twice", i, got[j])
			return
		}
	}
	for j, g := range got {
		switch {
		case j >= len(history):
			r.add("watcher %d saw %s, which is not in the history", i, g)
		case g.Rev > history[j].Rev:
			r.add("watcher %d missed %s", i, history[j])
		case g != history[j]:
			r.add("watcher %d saw %s where the history has %s", i, g, history[j])
		default:
			continue
		}
		return
	}
	if len(got) < len(history) && wl.Canceled == "" {
		r.add("watcher %d missed %d events from %s on", i, len(history)-len(got), history[len(got)])
	}
}
