package jute

import (
	"fmt"
	"testing"
)

func TestNames(t *testing.T) {
	tests := []struct {
		v    fmt.Stringer
		want string
	}{
		{OpGetData, "getData"},
		{OpCloseSession, "closeSession"},
		{OpGetAllChildrenNumber, "getAllChildrenNumber"},
		{OpCode(10), "OpCode(10)"},
		{CodeNoNode, "NONODE"},
		{CodeSessionClosedRequireSASLAuth, "SESSIONCLOSEDREQUIRESASLAUTH"},
		{CodeThrottledOp, "THROTTLEDOP"},
		{Code(-126), "Code(-126)"},
		{ModeEphemeralSequential, "EPHEMERAL_SEQUENTIAL"},
		{ModePersistentSequentialWithTTL, "PERSISTENT_SEQUENTIAL_WITH_TTL"},
		{CreateMode(7), "CreateMode(7)"},
		{CreateMode(-1), "CreateMode(-1)"},
		{PermAll, "cdrwa"},
		{PermRead | PermAdmin, "ra"},
		{Perms(0), ""},
		{WatcherPersistentRecursive, "PersistentRecursive"},
		{WatcherType(0), "WatcherType(0)"},
		{AddWatchPersistentRecursive, "PERSISTENT_RECURSIVE"},
		{AddWatchMode(2), "AddWatchMode(2)"},
		{EventNodeChildrenChanged, "NodeChildrenChanged"},
		{EventType(0), "EventType(0)"},
		{StateExpired, "Expired"},
		{StateSyncConnected, "SyncConnected"},
		{KeeperState(2), "KeeperState(2)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%T(%v).String() = %q, want %q", tt.v, tt.v, got, tt.want)
		}
	}
}

func TestCreateModes(t *testing.T) {
	tests := []struct {
		mode                                             CreateMode
		valid, ephemeral, sequential, container, withTTL bool
	}{
		{ModePersistent, true, false, false, false, false},
		{ModeEphemeral, true, true, false, false, false},
		{ModePersistentSequential, true, false, true, false, false},
		{ModeEphemeralSequential, true, true, true, false, false},
		{ModeContainer, true, false, false, true, false},
		{ModePersistentWithTTL, true, false, false, false, true},
		{ModePersistentSequentialWithTTL, true, false, true, false, true},
		{CreateMode(7), false, false, false, false, false},
	}
	for _, tt := range tests {
		m := tt.mode
		got := [5]bool{m.Valid(), m.Ephemeral(), m.Sequential(), m.Container(), m.TTL()}
		if want := [5]bool{tt.valid, tt.ephemeral, tt.sequential, tt.container, tt.withTTL}; got != want {
			t.Errorf("%v: valid, ephemeral, sequential, container, TTL = %v, want %v", m, got, want)
		}
	}
}
