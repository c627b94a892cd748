package zk

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

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
		if id := (znode.ID{Scheme: "digest", ID: digestID(q.Auth)}); !slices.Contains(c.auth, id) {
			c.auth = append(c.auth, id)
		}
		return reply{}
	case "ip":
		return reply{}
	}
	c.log.Info("authentication failed: scheme not supported; closing connection", "scheme", q.Scheme, "session", sessionHex(c.session))
	return reply{err: errAuthFailed, close: true}
}

// digestID is DigestAuthenticationProvider.generateDigest.
func digestID(auth []byte) string {
	user, _, _ := bytes.Cut(auth, []byte(":"))
	sum := sha1.Sum(auth)
	return string(user) + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// whoAmI lists the connection's identities as ZooKeeper's providers name
// them: the ip address, and the user of each digest identity.
func (c *conn) whoAmI() reply {
	infos := make([]jute.ClientInfo, 0, len(c.auth))
	for _, id := range c.auth {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(id.ID, ":")
		}
		infos = append(infos, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return reply{zxid: c.lastZxid.Load(), body: &jute.WhoAmIResponse{ClientInfo: infos}}
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
