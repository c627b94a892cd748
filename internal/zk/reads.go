package zk

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// missSyncTimeout bounds the ReadIndex round a read that found no node
// makes before answering so.
const missSyncTimeout = time.Second

// read runs fn, which reads through rd and returns its error, and returns
// the revision its reads saw: they all run inside one Reader.Read, so they
// see one state and a watch they set fires for exactly the changes after
// it. fn must only read.
//
// When fn finds no node (NONODE), read first makes sure this member has
// caught up with the leader's commit point (a ReadIndex round) and reads
// again: a node whose creation was acknowledged to any client before the
// read began is never reported missing, though this member's followers
// apply writes a disk sync later than the one that acknowledged them. If
// the round fails, the local answer stands (ZooKeeper's sequential
// consistency allows it). fn may run twice.
func (c *conn) read(fn func(rd znode.Reader) error) int64 {
	rd := c.s.b.Reader()
	var err error
	rev := rd.Read(func(v znode.Reader) { err = fn(v) })
	if !errors.Is(err, znode.ErrNoNode) {
		return rev
	}
	ctx, cancel := context.WithTimeout(c.ctx, missSyncTimeout)
	defer cancel()
	if c.s.b.Sync(ctx) != nil {
		return rev
	}
	return rd.Read(func(v znode.Reader) { err = fn(v) })
}

// readErr maps a read's error as ZooKeeper's FinalRequestProcessor does:
// reads do not validate paths, so an invalid one names no node.
func readErr(err error) error {
	if errors.Is(err, znode.ErrBadArguments) {
		return znode.ErrNoNode
	}
	return err
}

// watchNeeds returns the feeds a read with watch needs, nil without watch.
func watchNeeds(watch bool, typ watchType, path string) []feed {
	if !watch || !znode.ValidPath(path) {
		return nil
	}
	return typ.feeds(path)
}

// readWith runs a read that may set watches needing feeds: the feeds are
// started first (beginWatches). It returns the revision the read saw, or
// the error that refused the watches.
func (c *conn) readWith(feeds []feed, fn func(rd znode.Reader) error) (int64, error) {
	if len(feeds) > 0 {
		if err := c.beginWatches(feeds); err != nil {
			return 0, err
		}
	}
	return c.read(fn), nil
}

func (c *conn) exists(q *jute.ExistsRequest) reply {
	if strings.IndexByte(q.Path, 0) >= 0 {
		return c.answer(znode.ErrBadArguments)
	}
	var st znode.Stat
	var err error
	at, werr := c.readWith(watchNeeds(q.Watch, watchData, q.Path), func(rd znode.Reader) error {
		st, err = rd.Exists(q.Path)
		return readErr(err)
	})
	if werr != nil {
		return c.answer(werr)
	}
	rep := reply{zxid: at, err: readErr(err)}
	if rep.err == nil {
		rep.body = &jute.StatResponse{Stat: statOf(st)}
	}
	if q.Watch && znode.ValidPath(q.Path) {
		// ZooKeeper sets the watch whether the node exists or not
		switch {
		case rep.err == nil:
			rep.watches = []watchAdd{{watchData, q.Path}}
		case errors.Is(rep.err, znode.ErrNoNode):
			rep.watches = []watchAdd{{watchExist, q.Path}}
		}
	}
	return rep
}

func (c *conn) getData(q *jute.GetDataRequest) reply {
	var data []byte
	var st znode.Stat
	var err error
	at, werr := c.readWith(watchNeeds(q.Watch, watchData, q.Path), func(rd znode.Reader) error {
		data, st, err = c.readData(rd, q.Path)
		return err
	})
	if werr != nil {
		return c.answer(werr)
	}
	rep := reply{zxid: at, err: err}
	if err == nil {
		rep.body = &jute.GetDataResponse{Data: data, Stat: statOf(st)}
		if q.Watch {
			rep.watches = []watchAdd{{watchData, q.Path}}
		}
	}
	return rep
}

// readData reads a node's data as getData does: NONODE, then READ
// permission.
func (c *conn) readData(rd znode.Reader, path string) ([]byte, znode.Stat, error) {
	if err := rd.Allowed(path, znode.PermRead, c.auth); err != nil {
		return nil, znode.Stat{}, readErr(err)
	}
	data, st, err := rd.Get(path)
	return data, st, readErr(err)
}

// readChildren reads a node's children as getChildren does.
func (c *conn) readChildren(rd znode.Reader, path string) ([]string, znode.Stat, error) {
	if err := rd.Allowed(path, znode.PermRead, c.auth); err != nil {
		return nil, znode.Stat{}, readErr(err)
	}
	children, st, err := rd.Children(path)
	return children, st, readErr(err)
}

func (c *conn) getChildren(q *jute.PathWatchRequest, withStat bool) reply {
	var children []string
	var st znode.Stat
	var err error
	at, werr := c.readWith(watchNeeds(q.Watch, watchChild, q.Path), func(rd znode.Reader) error {
		children, st, err = c.readChildren(rd, q.Path)
		return err
	})
	if werr != nil {
		return c.answer(werr)
	}
	rep := reply{zxid: at, err: err}
	if err != nil {
		return rep
	}
	if withStat {
		rep.body = &jute.GetChildren2Response{Children: children, Stat: statOf(st)}
	} else {
		rep.body = &jute.GetChildrenResponse{Children: children}
	}
	if q.Watch {
		rep.watches = []watchAdd{{watchChild, q.Path}}
	}
	return rep
}

// getACL needs READ or ADMIN; without ADMIN, digest hashes are masked
// (ZooKeeper 3.6+).
func (c *conn) getACL(q *jute.GetACLRequest) reply {
	var acl []znode.ACL
	var st znode.Stat
	var err error
	admin := false
	at := c.read(func(rd znode.Reader) error {
		if err = rd.Allowed(q.Path, znode.PermRead|znode.PermAdmin, c.auth); err == nil {
			acl, st, err = rd.ACL(q.Path)
			admin = rd.Allowed(q.Path, znode.PermAdmin, c.auth) == nil
		}
		return readErr(err)
	})
	rep := reply{zxid: at, err: readErr(err)}
	if rep.err == nil {
		rep.body = &jute.GetACLResponse{ACL: aclsOut(acl, !admin), Stat: statOf(st)}
	}
	return rep
}

func (c *conn) allChildrenNumber(q *jute.GetAllChildrenNumberRequest) reply {
	var n int
	var err error
	at := c.read(func(rd znode.Reader) error {
		if err = rd.Allowed(q.Path, znode.PermRead, c.auth); err == nil {
			n, err = rd.AllChildrenNumber(q.Path)
		}
		return readErr(err)
	})
	rep := reply{zxid: at, err: readErr(err)}
	if rep.err == nil {
		rep.body = &jute.GetAllChildrenNumberResponse{TotalNumber: int32(n)}
	}
	return rep
}

// ephemerals lists the session's ephemeral nodes under a prefix (a string
// prefix, as ZooKeeper compares them; blank or "/" lists all).
func (c *conn) ephemerals(q *jute.GetEphemeralsRequest) reply {
	prefix := q.Path
	if t := strings.TrimSpace(prefix); t == "" || t == "/" {
		prefix = ""
	}
	var paths []string
	at := c.read(func(rd znode.Reader) error {
		paths = rd.Ephemerals(c.session, prefix)
		return nil
	})
	return reply{zxid: at, body: &jute.GetEphemeralsResponse{Ephemerals: paths}}
}

// multiRead answers each read on its own (a failed one is an error
// result), all at one revision.
func (c *conn) multiRead(q *jute.MultiReadRequest) reply {
	var needs []feed
	for _, op := range q.Ops {
		switch op := op.(type) {
		case *jute.GetDataRequest:
			needs = append(needs, watchNeeds(op.Watch, watchData, op.Path)...)
		case *jute.GetChildrenRequest:
			needs = append(needs, watchNeeds(op.Watch, watchChild, op.Path)...)
		}
	}
	resp := &jute.MultiResponse{Results: make([]jute.OpResult, len(q.Ops))}
	var adds []watchAdd
	at, werr := c.readWith(needs, func(rd znode.Reader) error {
		adds = adds[:0]
		var missing error
		for i, op := range q.Ops {
			var add watchAdd
			resp.Results[i], add = c.readOp(rd, op)
			if add.path != "" {
				adds = append(adds, add)
			}
			if resp.Results[i].Err == jute.CodeNoNode {
				missing = znode.ErrNoNode
			}
		}
		return missing
	})
	if werr != nil {
		return c.answer(werr)
	}
	return reply{zxid: at, body: resp, watches: adds}
}

// readOp runs one read of a multiRead and returns its result and the
// watch it sets, if any.
func (c *conn) readOp(rd znode.Reader, op jute.Request) (jute.OpResult, watchAdd) {
	switch op := op.(type) {
	case *jute.GetDataRequest:
		data, st, err := c.readData(rd, op.Path)
		if err != nil {
			return jute.OpResult{Op: jute.OpError, Err: codeOf(err)}, watchAdd{}
		}
		res := jute.OpResult{Op: jute.OpGetData, Body: &jute.GetDataResponse{Data: data, Stat: statOf(st)}}
		if op.Watch {
			return res, watchAdd{typ: watchData, path: op.Path}
		}
		return res, watchAdd{}
	case *jute.GetChildrenRequest:
		children, _, err := c.readChildren(rd, op.Path)
		if err != nil {
			return jute.OpResult{Op: jute.OpError, Err: codeOf(err)}, watchAdd{}
		}
		res := jute.OpResult{Op: jute.OpGetChildren, Body: &jute.GetChildrenResponse{Children: children}}
		if op.Watch {
			return res, watchAdd{typ: watchChild, path: op.Path}
		}
		return res, watchAdd{}
	}
	return jute.OpResult{Op: jute.OpError, Err: jute.CodeUnimplemented}, watchAdd{}
}

// sync answers once this member has caught up with the leader's commit
// point, so the session's next reads see every write committed before.
func (c *conn) sync(q *jute.SyncRequest) reply {
	if err := c.s.b.Sync(c.ctx); err != nil {
		return reply{err: err}
	}
	return reply{zxid: c.s.b.Reader().Rev(), body: &jute.PathResponse{Path: q.Path}}
}
