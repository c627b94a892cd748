package zk

import (
	"slices"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// writeOp converts a write request to an op of the data model, with the
// opcode its result carries in a multi (create2, createContainer and
// createTTL answer as create2). ok is false for a request that is no
// write.
func writeOp(q jute.Request) (op znode.Op, kind jute.OpCode, ok bool) {
	switch q := q.(type) {
	case *jute.CreateRequest:
		return createOp(q, znode.NoTTL), jute.OpCreate, true
	case *jute.Create2Request:
		return createOp(&q.CreateRequest, znode.NoTTL), jute.OpCreate2, true
	case *jute.CreateContainerRequest:
		return createOp(&q.CreateRequest, znode.NoTTL), jute.OpCreate2, true
	case *jute.CreateTTLRequest:
		return createOp(&q.CreateRequest, q.TTL), jute.OpCreate2, true
	case *jute.DeleteRequest:
		return znode.Op{Kind: znode.OpDelete, Path: q.Path, Version: q.Version}, jute.OpDelete, true
	case *jute.SetDataRequest:
		return znode.Op{Kind: znode.OpSetData, Path: q.Path, Data: q.Data, Version: q.Version}, jute.OpSetData, true
	case *jute.CheckVersionRequest:
		return znode.Op{Kind: znode.OpCheck, Path: q.Path, Version: q.Version}, jute.OpCheck, true
	case *jute.SetACLRequest:
		return znode.Op{Kind: znode.OpSetACL, Path: q.Path, ACL: aclsIn(q.ACL), Version: q.Version}, jute.OpSetACL, true
	}
	return znode.Op{}, 0, false
}

func createOp(q *jute.CreateRequest, ttl int64) znode.Op {
	return znode.Op{Kind: znode.OpCreate, Path: q.Path, Data: q.Data, ACL: aclsIn(q.ACL), Mode: modeOf(q.Flags), TTL: ttl}
}

// propose replicates ops as one request of this session.
func (c *conn) propose(ops []znode.Op) ([]znode.Result, int64, error) {
	return c.s.b.Write(c.ctx, znode.Request{Session: c.session, Auth: c.auth, Ops: ops})
}

// writeOne runs a single write.
func (c *conn) writeOne(op znode.Op, kind jute.OpCode) reply {
	results, rev, err := c.propose([]znode.Op{op})
	if err != nil {
		return reply{err: err}
	}
	rep := reply{zxid: rev, err: results[0].Err}
	if rep.err == nil {
		rep.body = resultBody(kind, results[0])
		if kind == jute.OpCheck || kind == jute.OpSetACL {
			// a lone check answers with the Stat, as setACL does
			rep.body = &jute.StatResponse{Stat: statOf(results[0].Stat)}
		}
	}
	return rep
}

// resultBody is the response to a successful write of kind, as a multi
// carries it.
func resultBody(kind jute.OpCode, r znode.Result) jute.Record {
	switch kind {
	case jute.OpCreate:
		return &jute.PathResponse{Path: r.Path}
	case jute.OpCreate2:
		return &jute.Create2Response{Path: r.Path, Stat: statOf(r.Stat)}
	case jute.OpSetData:
		return &jute.StatResponse{Stat: statOf(r.Stat)}
	}
	return nil
}

// multi runs its ops atomically, in one revision. When one fails every
// result is an error (OK before it, RUNTIMEINCONSISTENCY after it) and
// the reply's header still says OK, as ZooKeeper's does.
func (c *conn) multi(q *jute.MultiRequest) reply {
	if len(q.Ops) == 0 {
		return reply{zxid: c.s.b.Reader().Rev(), body: &jute.MultiResponse{}}
	}
	ops := make([]znode.Op, len(q.Ops))
	kinds := make([]jute.OpCode, len(q.Ops))
	for i, op := range q.Ops {
		ops[i], kinds[i], _ = writeOp(op) // the codec lets only writes into a multi
	}
	results, rev, err := c.propose(ops)
	if err != nil {
		return reply{err: err}
	}
	failed := slices.ContainsFunc(results, func(r znode.Result) bool { return r.Err != nil })
	resp := &jute.MultiResponse{Results: make([]jute.OpResult, len(results))}
	for i, r := range results {
		if failed {
			resp.Results[i] = jute.OpResult{Op: jute.OpError, Err: codeOf(r.Err)}
		} else {
			resp.Results[i] = jute.OpResult{Op: kinds[i], Body: resultBody(kinds[i], r)}
		}
	}
	return reply{zxid: rev, body: resp}
}
