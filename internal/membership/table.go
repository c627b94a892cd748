package membership

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Table is the replicated list of members. The apply goroutine changes it;
// any goroutine may read it.
type Table struct {
	mu      sync.RWMutex // protects members
	members map[uint64]Member
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{members: map[uint64]Member{}} }

// Add records m, keeping client URLs already published for it.
func (t *Table) Add(m Member) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.members[m.ID]; ok && len(m.ClientURLs) == 0 {
		m.ClientURLs = old.ClientURLs
	}
	t.members[m.ID] = m
}

// Remove deletes the member with id.
func (t *Table) Remove(id uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.members, id)
}

// Publish sets the name and client URLs of a known member; it reports
// whether the member was known.
func (t *Table) Publish(id uint64, name string, clientURLs []string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, ok := t.members[id]
	if !ok {
		return false
	}
	m.Name, m.ClientURLs = name, clientURLs
	t.members[id] = m
	return true
}

// List returns the members ordered by ID.
func (t *Table) List() []Member {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Member, 0, len(t.members))
	for _, m := range t.members {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MarshalJSON encodes the table for a snapshot.
func (t *Table) MarshalJSON() ([]byte, error) { return json.Marshal(t.List()) }

// UnmarshalJSON replaces the table with a snapshot's.
func (t *Table) UnmarshalJSON(b []byte) error {
	var list []Member
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("membership: decode table: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.members = make(map[uint64]Member, len(list))
	for _, m := range list {
		t.members[m.ID] = m
	}
	return nil
}
