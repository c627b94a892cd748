package zk

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// authenticate adds an identity to the connection (ZooKeeper keeps them
// per connection; a client adds them again when it reconnects). digest
// takes "user:password" and any password: the identity is
// user:base64(sha1(user:password)), which ACLs name. ip is the
// connection's address already. Any other scheme fails with AUTHFAILED
// and closes the connection, as ZooKeeper does.
func (c *conn) authenticate(q *jute.AuthPacket) reply {
	switch q.Scheme {
	case "digest":
		id := znode.ID{Scheme: "digest", ID: digestID(q.Auth)}
		switch {
		case slices.Contains(c.auth, id):
		case len(c.auth) >= maxIdentities:
			c.log.Info("authentication failed: too many identities on one connection; closing connection",
				"limit", maxIdentities, "session", sessionHex(c.session))
			return reply{err: errAuthFailed, close: true}
		default:
			c.auth = append(c.auth, id)
		}
		return reply{}
	case "ip":
		return reply{}
	}
	c.log.Info("authentication failed: scheme not supported; closing connection", "scheme", q.Scheme, "session", sessionHex(c.session))
	return reply{err: errAuthFailed, close: true}
}

// maxIdentities bounds a connection's identities (its ip one and those it
// adds with auth):
// they travel in every write it makes (ACL checks happen at apply), and an
// "auth" ACL expands to all of them. Beyond it, auth fails with AUTHFAILED
// and the connection closes.
const maxIdentities = 64

// digestID is DigestAuthenticationProvider.generateDigest.
func digestID(auth []byte) string {
	user, _, _ := bytes.Cut(auth, []byte(":"))
	sum := sha1.Sum(auth)
	return string(user) + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// whoAmI lists the connection's identities as ZooKeeper's providers name
// them (the ip address, and the user of each digest identity), in the
// order ZooKeeper lists them: its connections keep them in a set backed
// by a java.util.concurrent.ConcurrentHashMap, whose order zkCli users
// see.
func (c *conn) whoAmI() reply {
	ids := javaSetOrder(c.auth)
	infos := make([]jute.ClientInfo, 0, len(ids))
	for _, id := range ids {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(id.ID, ":")
		}
		infos = append(infos, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return reply{zxid: c.lastZxid.Load(), body: &jute.WhoAmIResponse{ClientInfo: infos}}
}

// javaSetOrder returns ids (in insertion order) in the iteration order of
// a ConcurrentHashMap holding them as org.apache.zookeeper.data.Id keys:
// by bin, the bin being the spread hash modulo the table size (16,
// doubled whenever three quarters are used), and in insertion order
// within a bin.
func javaSetOrder(ids []znode.ID) []znode.ID {
	n := uint32(16)
	for uint32(len(ids)) > n/4*3 {
		n *= 2
	}
	bin := func(id znode.ID) uint32 {
		h := uint32(37*(37*17+javaHash(id.Scheme)) + javaHash(id.ID)) // Id.hashCode, jute's
		return (h ^ h>>16) & 0x7fffffff & (n - 1)
	}
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b znode.ID) int { return cmp.Compare(bin(a), bin(b)) })
	return out
}

// javaHash is java.lang.String.hashCode: over UTF-16 code units.
func javaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// closeSession ends the session: its lease is revoked, deleting its
// ephemeral nodes in one revision; the reply follows their notifications
// and the connection closes after it.
func (c *conn) closeSession() reply {
	if err := c.s.b.CloseSession(c.ctx, c.session); err != nil && !errors.Is(err, lease.ErrNotFound) {
		return reply{err: err, close: true}
	}
	return reply{zxid: c.s.b.Reader().Rev(), close: true}
}
