package jute

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// unhex decodes hex written with spaces and line breaks for readability.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// zeroOf returns a new zero record of r's type.
func zeroOf(r Record) Record {
	return reflect.New(reflect.TypeOf(r).Elem()).Interface().(Record)
}

// testStat is the Stat whose encoding is statHex.
var testStat = Stat{
	Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7,
	EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11,
}

const statHex = `
	00000000 00000001  00000000 00000002  00000000 00000003  00000000 00000004
	00000005  00000006  00000007  00000000 00000008  00000009  0000000a
	00000000 0000000b`

// openACL is world:anyone with every permission; openACLHex is its
// encoding as a vector of one.
var openACL = []ACL{{Perms: PermAll, ID: Id{Scheme: "world", ID: "anyone"}}}

const openACLHex = `00000001  0000001f  00000005 776f726c64  00000006 616e796f6e65`
