package cluster

import (
	"strings"
	"testing"
	"time"
)

// Mesh puts a Link on every ordered pair of members of a Process cluster:
// what member i sends to member j passes only through the link (i, j). It
// is built after NewProcesses and before StartAll, and closed when the test
// ends.
type Mesh struct {
	links [][]*Link // links[from][to]; nil where from == to
}

// NewMesh creates the links of p's members and gives each member the
// --peer-dial-addr flag that routes its outbound streams through them.
// seed seeds the links' delay jitter and loss.
func NewMesh(t testing.TB, p *Process, seed uint64) *Mesh {
	t.Helper()
	n := p.Size()
	m := &Mesh{links: make([][]*Link, n)}
	t.Cleanup(m.Close)
	for from := range n {
		m.links[from] = make([]*Link, n)
		var dial []string
		for to := range n {
			if to == from {
				continue
			}
			l, err := NewLink(p.PeerAddr(to), seed+uint64(from*n+to))
			if err != nil {
				t.Fatalf("cluster: link %d->%d: %v", from, to, err)
			}
			m.links[from][to] = l
			dial = append(dial, p.Name(to)+"="+l.Addr())
		}
		p.SetFlags(from, "--peer-dial-addr", strings.Join(dial, ","))
	}
	return m
}

// Cut cuts the link carrying what member from sends to member to.
func (m *Mesh) Cut(from, to int) { m.links[from][to].Cut() }

// Degrade delays and breaks the link from member from to member to; see
// Link.Degrade.
func (m *Mesh) Degrade(from, to int, delay, jitter time.Duration, loss float64) {
	m.links[from][to].Degrade(delay, jitter, loss)
}

// Size is the number of members.
func (m *Mesh) Size() int { return len(m.links) }

// HealAll heals every link.
func (m *Mesh) HealAll() { m.each((*Link).Heal) }

// Close closes every link.
func (m *Mesh) Close() { m.each((*Link).Close) }

func (m *Mesh) each(f func(*Link)) {
	for _, row := range m.links {
		for _, l := range row {
			if l != nil {
				f(l)
			}
		}
	}
}
