// Package membership describes the members of a cluster: how their IDs are
// derived, how a member travels inside a raft ConfChange, and the replicated
// table the apply step keeps of them.
package membership

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Member is one member of the cluster.
type Member struct {
	ID         uint64   `json:"id"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs,omitempty"`
}

// MemberID derives a member's ID from its peer URLs and the cluster token,
// as etcd does, so every member computes the same IDs from the same
// --initial-cluster. The result is never zero (raft reserves 0).
func MemberID(peerURLs []string, token string) uint64 {
	urls := append([]string(nil), peerURLs...)
	sort.Strings(urls)
	return hashID(strings.Join(urls, ",") + "|" + token)
}

// ClusterID derives the cluster ID from the member IDs and the token.
func ClusterID(memberIDs []uint64, token string) uint64 {
	ids := append([]uint64(nil), memberIDs...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%016x,", id)
	}
	return hashID(b.String() + "|" + token)
}

func hashID(s string) uint64 {
	sum := sha1.Sum([]byte(s))
	id := binary.BigEndian.Uint64(sum[:8])
	if id == 0 {
		id = 1
	}
	return id
}

// Encode returns m as the context of a raft ConfChange.
func (m Member) Encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("membership: encode member: %v", err)) // a struct of strings always encodes
	}
	return b
}

// Decode parses a ConfChange context written by Encode.
func Decode(b []byte) (Member, error) {
	var m Member
	if err := json.Unmarshal(b, &m); err != nil {
		return Member{}, fmt.Errorf("membership: decode member: %w", err)
	}
	return m, nil
}
