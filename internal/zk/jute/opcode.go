package jute

import "strconv"

// OpCode is a request type (ZooDefs.OpCode): RequestHeader.Type and
// MultiHeader.Type.
type OpCode int32

// The opcodes of ZooKeeper 3.9. There is no opcode 10.
const (
	OpNotification         OpCode = 0
	OpCreate               OpCode = 1
	OpDelete               OpCode = 2
	OpExists               OpCode = 3
	OpGetData              OpCode = 4
	OpSetData              OpCode = 5
	OpGetACL               OpCode = 6
	OpSetACL               OpCode = 7
	OpGetChildren          OpCode = 8
	OpSync                 OpCode = 9
	OpPing                 OpCode = 11
	OpGetChildren2         OpCode = 12
	OpCheck                OpCode = 13
	OpMulti                OpCode = 14
	OpCreate2              OpCode = 15
	OpReconfig             OpCode = 16
	OpCheckWatches         OpCode = 17
	OpRemoveWatches        OpCode = 18
	OpCreateContainer      OpCode = 19
	OpDeleteContainer      OpCode = 20
	OpCreateTTL            OpCode = 21
	OpMultiRead            OpCode = 22
	OpAuth                 OpCode = 100
	OpSetWatches           OpCode = 101
	OpSASL                 OpCode = 102
	OpGetEphemerals        OpCode = 103
	OpGetAllChildrenNumber OpCode = 104
	OpSetWatches2          OpCode = 105
	OpAddWatch             OpCode = 106
	OpWhoAmI               OpCode = 107
	OpCreateSession        OpCode = -10
	OpCloseSession         OpCode = -11
	OpError                OpCode = -1
)

var opNames = map[OpCode]string{
	OpNotification: "notification", OpCreate: "create", OpDelete: "delete", OpExists: "exists",
	OpGetData: "getData", OpSetData: "setData", OpGetACL: "getACL", OpSetACL: "setACL",
	OpGetChildren: "getChildren", OpSync: "sync", OpPing: "ping", OpGetChildren2: "getChildren2",
	OpCheck: "check", OpMulti: "multi", OpCreate2: "create2", OpReconfig: "reconfig",
	OpCheckWatches: "checkWatches", OpRemoveWatches: "removeWatches",
	OpCreateContainer: "createContainer", OpDeleteContainer: "deleteContainer",
	OpCreateTTL: "createTTL", OpMultiRead: "multiRead", OpAuth: "auth", OpSetWatches: "setWatches",
	OpSASL: "sasl", OpGetEphemerals: "getEphemerals", OpGetAllChildrenNumber: "getAllChildrenNumber",
	OpSetWatches2: "setWatches2", OpAddWatch: "addWatch", OpWhoAmI: "whoAmI",
	OpCreateSession: "createSession", OpCloseSession: "closeSession", OpError: "error",
}

// String returns ZooKeeper's name for the opcode (Request.op2String), or
// "OpCode(N)".
func (op OpCode) String() string { return enumString(opNames, op, "OpCode") }

// enumString returns v's name, or typ(v) for a value without one.
func enumString[T ~int32](names map[T]string, v T, typ string) string {
	if name, ok := names[v]; ok {
		return name
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// The special xids of the stock client (ClientCnxn). A reply carries its
// request's xid, whatever it is.
const (
	XidNotification int32 = -1 // server-to-client WatcherEvent
	XidPing         int32 = -2 // ping request and reply
	XidAuth         int32 = -4 // AuthPacket request and reply
	// XidSetWatches is the xid ClientCnxn gives setWatches(2), but its
	// socket layer replaces it with a regular xid before sending (every
	// packet but ping and auth), so servers see a positive one.
	XidSetWatches int32 = -8
)
