package znode

import (
	"strings"
	"unicode/utf8"
)

// ValidPath reports whether p is a path ZooKeeper accepts
// (PathUtils.validatePath): it starts with "/", does not end with "/"
// (except the root itself), has no empty segment and no "." or ".."
// segment, and holds no character ZooKeeper refuses: NUL, the controls
// U+0001–U+001F and U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF, and,
// since Java strings are UTF-16, anything beyond U+FFFF (a surrogate pair
// there). It must also be valid UTF-8.
func ValidPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if !validName(seg) {
			return false
		}
	}
	return true
}

// validName reports whether s may be one segment of a path.
func validName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return false
			}
		}
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) || (r >= 0xd800 && r <= 0xf8ff) || r >= 0xfff0 {
			return false
		}
	}
	return true
}

// splitPath returns p's parent path and its last segment. p must be a
// valid path other than the root.
func splitPath(p string) (parent, name string) {
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/", p[1:]
	}
	return p[:i], p[i+1:]
}

// parentOf returns the parent of the path p, and false when p is the root
// or not visible (a key no ZooKeeper client can see, which therefore is
// nobody's child).
func parentOf(p string) (string, bool) {
	if p == "/" || !visible(p) {
		return "", false
	}
	parent, _ := splitPath(p)
	return parent, true
}

// childPrefix returns the prefix every key below p starts with.
func childPrefix(p string) string {
	if p == "/" {
		return "/"
	}
	return p + "/"
}

// prefixEnd returns the first key after every key starting with prefix,
// which ends with "/": the same prefix ending with "0", the byte after "/".
func prefixEnd(prefix string) string {
	return prefix[:len(prefix)-1] + "0"
}
