package znode

import (
	"net/netip"
	"slices"
	"strings"
)

// fixACL validates a create's or setACL's ACL as ZooKeeper does
// (PrepRequestProcessor.fixupACL) and returns the ACL to store: an empty
// list, an unknown scheme, an expression its scheme rejects, or the "auth"
// scheme without an authenticated identity is ErrInvalidACL. An "auth"
// entry stands for every digest identity in auth, with its permissions.
// Duplicates are dropped. The result is a fresh slice.
func fixACL(acl []ACL, auth []ID) ([]ACL, error) {
	if len(acl) == 0 {
		return nil, ErrInvalidACL
	}
	out := make([]ACL, 0, len(acl))
	add := func(a ACL) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range acl {
		switch a.ID.Scheme {
		case "world":
			if a.ID.ID != "anyone" {
				return nil, ErrInvalidACL
			}
			add(a)
		case "auth":
			if !slices.ContainsFunc(auth, func(id ID) bool { return authenticated(id.Scheme) }) {
				return nil, ErrInvalidACL
			}
			for _, id := range auth {
				if authenticated(id.Scheme) {
					add(ACL{Perms: a.Perms, ID: id})
				}
			}
		case "digest":
			if !validDigest(a.ID.ID) {
				return nil, ErrInvalidACL
			}
			add(a)
		case "ip":
			if _, err := parseIPExpr(a.ID.ID); err != nil {
				return nil, ErrInvalidACL
			}
			add(a)
		default:
			return nil, ErrInvalidACL
		}
	}
	return out, nil
}

// authenticated reports whether identities of scheme count as an
// authenticated user for the "auth" ACL scheme. ZooKeeper's ip provider
// does not (IPAuthenticationProvider.isAuthenticated is false).
func authenticated(scheme string) bool { return scheme == "digest" }

// validDigest mirrors DigestAuthenticationProvider.isValid: the
// expression split at ":" has two parts, once Java's split has dropped
// trailing empty ones.
func validDigest(id string) bool {
	parts := strings.Split(id, ":")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return len(parts) == 2
}

// parseIPExpr parses an ip ACL expression, "addr" or "addr/bits".
func parseIPExpr(expr string) (netip.Prefix, error) {
	if strings.Contains(expr, "/") {
		return netip.ParsePrefix(expr)
	}
	a, err := netip.ParseAddr(expr)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// allowed reports whether auth grants perm under acl, as
// ZooKeeperServer.checkACL decides: an empty ACL allows everything, a
// "super" identity passes every check, and otherwise some entry carrying
// perm must name world:anyone or an identity in auth (digest: the same
// expression; ip: an address inside the entry's prefix).
func allowed(acl []ACL, perm int32, auth []ID) bool {
	if len(acl) == 0 || slices.ContainsFunc(auth, func(id ID) bool { return id.Scheme == "super" }) {
		return true
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return true
		}
		for _, id := range auth {
			if id.Scheme == a.ID.Scheme && matches(id, a.ID.ID) {
				return true
			}
		}
	}
	return false
}

// matches reports whether the authenticated identity id matches the ACL
// expression expr of the same scheme.
func matches(id ID, expr string) bool {
	switch id.Scheme {
	case "digest":
		return id.ID == expr
	case "ip":
		p, err := parseIPExpr(expr)
		if err != nil {
			return false
		}
		a, err := netip.ParseAddr(id.ID)
		return err == nil && p.Contains(a.Unmap())
	}
	return false
}
