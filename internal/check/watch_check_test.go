package check

import "testing"

func TestCheckWatch(t *testing.T) {
	e1 := event{Rev: 11, Key: "k0", Value: "0.0", Create: 11}
	e2 := event{Rev: 12, Key: "k1", Value: "1.0", Create: 12}
	e3 := event{Rev: 13, Key: "k0", Delete: true}
	e4 := event{Rev: 14, Key: "k0", Value: "0.1", Create: 14}
	correct := func() watchLog {
		return watchLog{
			Writes: []watchWrite{
				{event{Rev: 11, Key: "k0", Value: "0.0"}, acked},
				{event{Rev: 12, Key: "k1", Value: "1.0"}, acked},
				{event{Key: "k1", Value: "1.1"}, failed},
				{event{Rev: 13, Key: "k0", Delete: true}, acked},
				{event{Rev: 14, Key: "k0", Value: "0.1"}, acked},
				{event{Key: "k2", Value: "0.2"}, unknown},
			},
			History:  []event{e1, e2, e3, e4},
			Watchers: []*watcherLog{{Events: []event{e1, e2, e3, e4}}, {Events: []event{e1, e2, e3, e4}}},
		}
	}
	runCheckerCases(t, correct, checkWatch, []checkerCase[watchLog]{
		{"correct", func(*watchLog) {}, nil, 0},
		{"unknown write that landed", func(l *watchLog) {
			e5 := event{Rev: 15, Key: "k2", Value: "0.2", Create: 15}
			l.History = append(l.History, e5)
			for _, w := range l.Watchers {
				w.Events = append(w.Events, e5)
			}
		}, nil, 0},
		{"missed event", func(l *watchLog) { l.Watchers[1].Events = []event{e1, e3, e4} }, []string{"watcher 1 missed " + e2.String()}, 0},
		{"missed tail", func(l *watchLog) { l.Watchers[0].Events = []event{e1, e2} }, []string{"watcher 0 missed 2 events"}, 0},
		{"duplicated event", func(l *watchLog) { l.Watchers[1].Events = []event{e1, e2, e2, e3, e4} }, []string{"twice"}, 0},
		{"reordered events", func(l *watchLog) { l.Watchers[0].Events = []event{e1, e3, e2, e4} }, []string{"out of order"}, 0},
		{"event not in the history", func(l *watchLog) {
			l.Watchers[0].Events = append(l.Watchers[0].Events, event{Rev: 15, Key: "k2", Value: "x"})
		}, []string{"not in the history"}, 0},
		{"wrong value", func(l *watchLog) { l.Watchers[1].Events[1].Value = "1.1" }, []string{"where the history has"}, 0},
		{"acknowledged write lost", func(l *watchLog) {
			l.History = l.History[:3]
			for _, w := range l.Watchers {
				w.Events = w.Events[:3]
			}
		}, []string{"acknowledged put k0=\"0.1\" @14 is not in the history"}, 1},
		{"failed write in the history", func(l *watchLog) {
			e5 := event{Rev: 15, Key: "k1", Value: "1.1", Create: 12}
			l.History = append(l.History, e5)
			for _, w := range l.Watchers {
				w.Events = append(w.Events, e5)
			}
		}, []string{"no writer sent"}, 0},
		{"cancelled watcher", func(l *watchLog) {
			l.Watchers[0].Events, l.Watchers[0].Canceled = []event{e1}, "cancelled: etcdserver: no leader"
		}, []string{"watcher 0 was cancelled"}, 0},
	})
}
