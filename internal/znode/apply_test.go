package znode

import (
	"errors"
	"slices"
	"testing"
)

func TestApplyErrors(t *testing.T) {
	alice := digest("alice")
	onlyAlice := []ACL{{Perms: PermAll, ID: alice}}
	readOnly := []ACL{{Perms: PermRead, ID: ID{"world", "anyone"}}}
	noDelete := []ACL{{Perms: PermAll &^ PermDelete, ID: ID{"world", "anyone"}}}
	for _, tc := range []struct {
		name  string
		setup []Op
		req   Request // Session defaults to the fixture's
		want  []error
	}{
		{"create ok", nil, Request{Ops: []Op{create("/a", "x", Persistent)}}, []error{nil}},
		{"create root exists", nil, Request{Ops: []Op{create("/", "", Persistent)}}, []error{ErrNodeExists}},
		{"create exists", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{create("/a", "", Persistent)}}, []error{ErrNodeExists}},
		{"create no parent", nil, Request{Ops: []Op{create("/a/b", "", Persistent)}}, []error{ErrNoNode}},
		{"create under ephemeral", []Op{create("/e", "", Ephemeral)}, Request{Ops: []Op{create("/e/c", "", Persistent)}}, []error{ErrNoChildrenForEphemerals}},
		{"create bad mode", nil, Request{Ops: []Op{create("/a", "", Mode(7))}}, []error{ErrBadArguments}},
		{"create trailing slash", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{create("/a/", "", Persistent)}}, []error{ErrBadArguments}},
		{"create trailing slash no parent", nil, Request{Ops: []Op{create("/a/", "", Persistent)}}, []error{ErrNoNode}},
		{"create empty segment inside", []Op{create("/d", "", Persistent)}, Request{Ops: []Op{create("/d//x", "", Persistent)}}, []error{ErrNoNode}},
		{"create sequential trailing slash", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{create("/a/", "", PersistentSequential)}}, []error{nil}},
		{"create empty segment", nil, Request{Ops: []Op{create("//a", "", Persistent)}}, []error{ErrBadArguments}},
		{"create dot", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{create("/a/.", "", Persistent)}}, []error{ErrBadArguments}},
		{"create dotdot", nil, Request{Ops: []Op{create("/..", "", Persistent)}}, []error{ErrBadArguments}},
		{"create dots are a name", nil, Request{Ops: []Op{create("/...", "", Persistent)}}, []error{nil}},
		{"create NUL", nil, Request{Ops: []Op{create("/a\x00b", "", Persistent)}}, []error{ErrBadArguments}},
		{"create relative", nil, Request{Ops: []Op{create("a", "", Persistent)}}, []error{ErrBadArguments}},
		{"create empty path", nil, Request{Ops: []Op{create("", "", Persistent)}}, []error{ErrBadArguments}},
		{"create control char", nil, Request{Ops: []Op{create("/a\x01", "", Persistent)}}, []error{ErrBadArguments}},
		{"create emoji", nil, Request{Ops: []Op{create("/\U0001F600", "", Persistent)}}, []error{ErrBadArguments}},
		{"create bad utf-8", nil, Request{Ops: []Op{create("/\xff", "", Persistent)}}, []error{ErrBadArguments}},
		{"create unicode ok", nil, Request{Ops: []Op{create("/é", "", Persistent)}}, []error{nil}},
		{"ttl ok", nil, Request{Ops: []Op{createTTL("/t", PersistentTTL, 100)}}, []error{nil}},
		{"ttl zero", nil, Request{Ops: []Op{createTTL("/t", PersistentTTL, 0)}}, []error{ErrBadArguments}},
		{"ttl negative", nil, Request{Ops: []Op{createTTL("/t", PersistentSequentialTTL, -1)}}, []error{ErrBadArguments}},
		{"ttl too large", nil, Request{Ops: []Op{createTTL("/t", PersistentTTL, MaxTTL+1)}}, []error{ErrBadArguments}},
		{"ttl max", nil, Request{Ops: []Op{createTTL("/t", PersistentTTL, MaxTTL)}}, []error{nil}},
		{"ttl on persistent", nil, Request{Ops: []Op{createTTL("/t", Persistent, 100)}}, []error{ErrBadArguments}},
		{"ttl 0 on persistent", nil, Request{Ops: []Op{createTTL("/t", Persistent, 0)}}, []error{ErrBadArguments}},
		{"ttl on container", nil, Request{Ops: []Op{createTTL("/t", Container, 5)}}, []error{ErrBadArguments}},
		{"ephemeral no session", nil, Request{Session: -1, Ops: []Op{create("/e", "", Ephemeral)}}, []error{ErrSessionExpired}},
		{"expired session", nil, Request{Session: 99, Ops: []Op{create("/p", "", Persistent)}}, []error{ErrSessionExpired}},
		{"empty acl", nil, Request{Ops: []Op{{Kind: OpCreate, Path: "/a", Mode: Persistent, TTL: NoTTL}}}, []error{ErrInvalidACL}},
		{"world not anyone", nil, Request{Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"world", "someone"}}}}}}, []error{ErrInvalidACL}},
		{"unknown scheme", nil, Request{Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"x509", "cn"}}}}}}, []error{ErrInvalidACL}},
		{"bad digest", nil, Request{Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"digest", "nocolon"}}}}}}, []error{ErrInvalidACL}},
		{"bad ip", nil, Request{Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"ip", "10.0.0.0/33"}}}}}}, []error{ErrInvalidACL}},
		{"auth unauthenticated", nil, Request{Auth: []ID{{"ip", "127.0.0.1"}}, Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"auth", ""}}}}}}, []error{ErrInvalidACL}},
		{"auth authenticated", nil, Request{Auth: []ID{alice}, Ops: []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"auth", ""}}}}}}, []error{nil}},
		{"create no CREATE perm", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: readOnly}}, Request{Ops: []Op{create("/a/b", "", Persistent)}}, []error{ErrNoAuth}},
		{"create digest perm", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: onlyAlice}}, Request{Auth: []ID{alice}, Ops: []Op{create("/a/b", "", Persistent)}}, []error{nil}},
		{"create ip perm", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"ip", "10.1.0.0/16"}}}}}, Request{Auth: []ID{{"ip", "10.1.2.3"}}, Ops: []Op{create("/a/b", "", Persistent)}}, []error{nil}},
		{"create ip outside", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: []ACL{{PermAll, ID{"ip", "10.1.0.0/16"}}}}}, Request{Auth: []ID{{"ip", "10.2.2.3"}}, Ops: []Op{create("/a/b", "", Persistent)}}, []error{ErrNoAuth}},
		{"super passes", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: onlyAlice}}, Request{Auth: []ID{{"super", "root"}}, Ops: []Op{set("/a", "x", -1)}}, []error{nil}},
		{"delete ok", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{del("/a", 0)}}, []error{nil}},
		{"delete root", nil, Request{Ops: []Op{del("/", -1)}}, []error{ErrBadArguments}},
		{"delete missing", nil, Request{Ops: []Op{del("/a", -1)}}, []error{ErrNoNode}},
		{"delete bad version", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{del("/a", 1)}}, []error{ErrBadVersion}},
		{"delete not empty", []Op{create("/a", "", Persistent), create("/a/b", "", Persistent)}, Request{Ops: []Op{del("/a", -1)}}, []error{ErrNotEmpty}},
		{"delete needs DELETE on parent", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: noDelete}, create("/a/b", "", Persistent)}, Request{Ops: []Op{del("/a/b", -1)}}, []error{ErrNoAuth}},
		{"delete NOAUTH before NONODE", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: readOnly}}, Request{Ops: []Op{del("/a/zz", -1)}}, []error{ErrNoAuth}},
		{"setData ok", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{set("/a", "y", 0)}}, []error{nil}},
		{"setData bad version", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{set("/a", "y", 3)}}, []error{ErrBadVersion}},
		{"setData missing", nil, Request{Ops: []Op{set("/a", "y", -1)}}, []error{ErrNoNode}},
		{"setData no WRITE", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: readOnly}}, Request{Ops: []Op{set("/a", "y", -1)}}, []error{ErrNoAuth}},
		{"setData root", nil, Request{Ops: []Op{set("/", "r", 0)}}, []error{nil}},
		{"check ok", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{check("/a", 0)}}, []error{nil}},
		{"check bad version", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{check("/a", 1)}}, []error{ErrBadVersion}},
		{"check no READ", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: onlyAlice}}, Request{Ops: []Op{check("/a", -1)}}, []error{ErrNoAuth}},
		{"setACL ok", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{setACL("/a", readOnly, 0)}}, []error{nil}},
		{"setACL bad aversion", []Op{create("/a", "", Persistent)}, Request{Ops: []Op{setACL("/a", readOnly, 1)}}, []error{ErrBadVersion}},
		{"setACL no ADMIN", []Op{{Kind: OpCreate, Path: "/a", TTL: NoTTL, ACL: readOnly}}, Request{Ops: []Op{setACL("/a", OpenACL, -1)}}, []error{ErrNoAuth}},
		{"setACL invalid before NONODE", nil, Request{Ops: []Op{setACL("/a", nil, -1)}}, []error{ErrInvalidACL}},
		{"unknown op", nil, Request{Ops: []Op{{Kind: 42, Path: "/a"}}}, []error{ErrBadArguments}},
		{"multi ok", nil, Request{Ops: []Op{create("/a", "", Persistent), create("/a/b", "", Persistent), set("/a/b", "x", 0), check("/a/b", 1)}}, []error{nil, nil, nil, nil}},
		{"multi fails in the middle", nil, Request{Ops: []Op{create("/a", "", Persistent), create("/a", "", Persistent), create("/b", "", Persistent)}}, []error{nil, ErrNodeExists, ErrRuntimeInconsistency}},
		{"multi sees earlier ops", nil, Request{Ops: []Op{create("/a", "", Persistent), create("/a/b", "", Persistent), del("/a", -1)}}, []error{nil, nil, ErrNotEmpty}},
		{"multi delete then create", []Op{create("/a", "v", Persistent)}, Request{Ops: []Op{del("/a", 0), create("/a", "w", Persistent), check("/a", 0)}}, []error{nil, nil, nil}},
		{"multi expired session", nil, Request{Session: 99, Ops: []Op{check("/", -1), check("/", -1)}}, []error{ErrSessionExpired, ErrRuntimeInconsistency}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if len(tc.setup) > 0 {
				f.must(tc.setup...)
			}
			req := tc.req
			switch req.Session {
			case 0:
				req.Session = session
			case -1:
				req.Session = 0
			}
			rev := f.store.Rev()
			res := f.apply(req)
			for i, r := range res {
				if !errors.Is(r.Err, tc.want[i]) || (tc.want[i] == nil && r.Err != nil) {
					t.Fatalf("op %d: err %v, want %v (all: %+v)", i, r.Err, tc.want[i], res)
				}
			}
			if slices.ContainsFunc(tc.want, func(e error) bool { return e != nil }) && f.store.Rev() != rev {
				t.Fatalf("failed request moved the revision %d -> %d", rev, f.store.Rev())
			}
		})
	}
}
