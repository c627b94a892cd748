package zk

import (
	"context"
	"errors"

	"github.com/concordkv/concord/internal/lease"
	"github.com/concordkv/concord/internal/proposal"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/internal/znode"
)

// The front end's own errors; codeOf maps them like the others.
var (
	errNoWatcher      = errors.New("zk: no such watch")                         // NOWATCHER
	errTooManyWatches = errors.New("zk: too many watches on the connection")    // QUOTAEXCEEDED
	errReplyTooLarge  = errors.New("zk: reply larger than the jute max buffer") // QUOTAEXCEEDED
	errAuthFailed     = errors.New("zk: authentication scheme not supported")   // AUTHFAILED
	errBadMode        = errors.New("zk: unknown addWatch mode or watcher type") // MARSHALLINGERROR
)

// codes is the one table from errors to ZooKeeper error codes: the data
// model's (znode), the session's (lease), the codec's (jute) and the front
// end's own. The first entry the error matches (errors.Is) wins.
var codes = []struct {
	err  error
	code jute.Code
}{
	{znode.ErrNoNode, jute.CodeNoNode},
	{znode.ErrNodeExists, jute.CodeNodeExists},
	{znode.ErrBadVersion, jute.CodeBadVersion},
	{znode.ErrNotEmpty, jute.CodeNotEmpty},
	{znode.ErrNoChildrenForEphemerals, jute.CodeNoChildrenForEphemerals},
	{znode.ErrNoAuth, jute.CodeNoAuth},
	{znode.ErrInvalidACL, jute.CodeInvalidACL},
	{znode.ErrBadArguments, jute.CodeBadArguments},
	{znode.ErrSessionExpired, jute.CodeSessionExpired},
	{znode.ErrRuntimeInconsistency, jute.CodeRuntimeInconsistency},
	{lease.ErrNotFound, jute.CodeSessionExpired},
	{jute.ErrUnknownOp, jute.CodeUnimplemented},
	{jute.ErrTruncated, jute.CodeMarshallingError},
	{jute.ErrLength, jute.CodeMarshallingError},
	{jute.ErrMultiOp, jute.CodeMarshallingError},
	{errBadMode, jute.CodeMarshallingError},
	{errNoWatcher, jute.CodeNoWatcher},
	{errTooManyWatches, jute.CodeQuotaExceeded},
	{errReplyTooLarge, jute.CodeQuotaExceeded},
	{errAuthFailed, jute.CodeAuthFailed},
	{proposal.ErrTooLarge, jute.CodeBadArguments},
}

// codeOf returns the code a reply carries for err: CodeOK for nil,
// CodeSystemError for an error the table does not name.
func codeOf(err error) jute.Code {
	if err == nil {
		return jute.CodeOK
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return jute.CodeSystemError
}

// fatal reports whether err means this member cannot serve the request
// now (no leader, a timeout, stopping): ZooKeeper's server drops its
// clients then, and they see a connection loss and move to another member.
// The connection is closed instead of answered.
func fatal(err error) bool {
	return errors.Is(err, proposal.ErrTimeout) || errors.Is(err, proposal.ErrNoLeader) ||
		errors.Is(err, proposal.ErrStopped) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}
