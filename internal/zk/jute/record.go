package jute

import (
	"fmt"
	"strings"
)

// Record is a jute record: a Go struct with the fields of one class of
// zookeeper.jute, in the same order. Only this package's types implement
// it.
type Record interface {
	// Append appends the record's encoding to b and returns the extended
	// slice. It does not retain b or the record.
	Append(b []byte) []byte
	// decode reads the record's fields from d; failures stick in d.
	decode(d *decoder)
}

// Decode decodes body into r. Bytes after the record are ignored, as
// ZooKeeper's server ignores them. The decoded record does not alias
// body. A failure is a *DecodeError naming the record and field.
func Decode(body []byte, r Record) error {
	d := decoder{b: body}
	r.decode(&d)
	if d.err != nil {
		d.err.Record = recordName(r)
		return d.err
	}
	return nil
}

// recordName names r's type for errors: "CreateRequest" for
// *jute.CreateRequest.
func recordName(r Record) string {
	name := fmt.Sprintf("%T", r)
	return name[strings.LastIndexByte(name, '.')+1:]
}

// record decodes a nested record field.
func (d *decoder) record(field string, r Record) {
	if d.err != nil {
		return
	}
	r.decode(d)
	d.nest(field)
}

// empty is the encoding of a request or response without a body.
type empty struct{}

// Append implements Record.
func (empty) Append(b []byte) []byte { return b }

func (empty) decode(*decoder) {}
