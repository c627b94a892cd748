package jute

import "encoding/binary"

// The append functions encode jute primitives. They never fail: every Go
// value has an encoding, and the caller bounds the frame size.

func appendInt32(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }

func appendInt64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendBuffer writes nil as jute's null (-1), so a client sees null data
// exactly when the server holds none.
func appendBuffer(b []byte, p []byte) []byte {
	if p == nil {
		return appendInt32(b, -1)
	}
	return append(appendInt32(b, int32(len(p))), p...)
}

func appendString(b []byte, s string) []byte {
	return append(appendInt32(b, int32(len(s))), s...)
}

// appendVector writes a vector's count and elements. A nil vector is
// written as empty, never as null: Java clients iterate returned lists
// without checking for null.
func appendVector[T any](b []byte, v []T, elem func([]byte, *T) []byte) []byte {
	b = appendInt32(b, int32(len(v)))
	for i := range v {
		b = elem(b, &v[i])
	}
	return b
}

func appendStrings(b []byte, v []string) []byte {
	return appendVector(b, v, func(b []byte, s *string) []byte { return appendString(b, *s) })
}
