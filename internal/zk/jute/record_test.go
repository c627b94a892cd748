package jute

import (
	"bytes"
	"reflect"
	"testing"
)

// recordCases pairs records with their encodings, computed by hand from
// zookeeper.jute. "2f61" is "/a".
var recordCases = []struct {
	name string
	rec  Record
	hex  string
}{
	{"RequestHeader", &RequestHeader{Xid: 7, Type: OpGetData}, `00000007 00000004`},
	{"ReplyHeader", &ReplyHeader{Xid: -2, Zxid: 0x100000005, Err: CodeNoNode},
		`fffffffe 00000001 00000005 ffffff9b`},
	{"MultiHeader", &MultiHeader{Type: OpCheck, Err: -1}, `0000000d 00 ffffffff`},
	{"ConnectRequest without readOnly (go-zookeeper, old clients)",
		&ConnectRequest{LastZxidSeen: 0x10, TimeOut: 30000, Passwd: make([]byte, 16)},
		`00000000  00000000 00000010  00007530  00000000 00000000
		 00000010 00000000000000000000000000000000`},
	{"ConnectRequest with readOnly and null passwd",
		&ConnectRequest{TimeOut: 4000, SessionID: 0x0102030405060708, ReadOnly: true, HasReadOnly: true},
		`00000000  00000000 00000000  00000fa0  01020304 05060708  ffffffff  01`},
	{"ConnectResponse with readOnly", &ConnectResponse{TimeOut: 4000, SessionID: 9, Passwd: []byte("pw"), HasReadOnly: true},
		`00000000  00000fa0  00000000 00000009  00000002 7077  00`},
	{"ConnectResponse without readOnly", &ConnectResponse{TimeOut: 4000, SessionID: 9, Passwd: []byte{}},
		`00000000  00000fa0  00000000 00000009  00000000`},
	{"Stat", &testStat, statHex},
	{"ACL", &openACL[0], `0000001f  00000005 776f726c64  00000006 616e796f6e65`},
	{"CreateRequest", &CreateRequest{Path: "/a", Data: []byte("x"), ACL: openACL, Flags: ModeEphemeralSequential},
		`00000002 2f61  00000001 78 ` + openACLHex + ` 00000003`},
	{"Create2Request", &Create2Request{CreateRequest{Path: "/a", Data: nil, ACL: openACL}},
		`00000002 2f61  ffffffff ` + openACLHex + ` 00000000`},
	{"CreateContainerRequest", &CreateContainerRequest{CreateRequest{Path: "/a", Data: []byte{}, ACL: openACL, Flags: ModeContainer}},
		`00000002 2f61  00000000 ` + openACLHex + ` 00000004`},
	{"CreateTTLRequest", &CreateTTLRequest{CreateRequest{Path: "/a", Data: []byte("x"), ACL: openACL, Flags: ModePersistentWithTTL}, 1000},
		`00000002 2f61  00000001 78 ` + openACLHex + ` 00000005  00000000 000003e8`},
	{"DeleteRequest", &DeleteRequest{PathVersionRequest{Path: "/a", Version: -1}}, `00000002 2f61 ffffffff`},
	{"CheckVersionRequest", &CheckVersionRequest{PathVersionRequest{Path: "/a", Version: 2}}, `00000002 2f61 00000002`},
	{"ExistsRequest", &ExistsRequest{PathWatchRequest{Path: "/a", Watch: true}}, `00000002 2f61 01`},
	{"GetDataRequest", &GetDataRequest{PathWatchRequest{Path: "/zookeeper"}}, `0000000a 2f7a6f6f6b6565706572 00`},
	{"GetChildrenRequest", &GetChildrenRequest{PathWatchRequest{Path: "/", Watch: true}}, `00000001 2f 01`},
	{"GetChildren2Request", &GetChildren2Request{PathWatchRequest{Path: "/"}}, `00000001 2f 00`},
	{"SetDataRequest with null data", &SetDataRequest{Path: "/a", Version: 3}, `00000002 2f61 ffffffff 00000003`},
	{"SetDataRequest with empty data", &SetDataRequest{Path: "/a", Data: []byte{}, Version: -1},
		`00000002 2f61 00000000 ffffffff`},
	{"GetACLRequest", &GetACLRequest{PathRequest{Path: "/"}}, `00000001 2f`},
	{"SetACLRequest", &SetACLRequest{Path: "/", ACL: []ACL{{Perms: PermRead, ID: Id{"digest", "u:h"}}}},
		`00000001 2f  00000001 00000001 00000006 646967657374 00000003 753a68  00000000`},
	{"SyncRequest", &SyncRequest{PathRequest{Path: "/a"}}, `00000002 2f61`},
	{"GetAllChildrenNumberRequest", &GetAllChildrenNumberRequest{PathRequest{Path: "/"}}, `00000001 2f`},
	{"GetEphemeralsRequest", &GetEphemeralsRequest{PathRequest{Path: "/e"}}, `00000002 2f65`},
	{"DeleteContainerRequest", &DeleteContainerRequest{PathRequest{Path: "/c"}}, `00000002 2f63`},
	{"CheckWatchesRequest", &CheckWatchesRequest{WatchesRequest{Path: "/a", Type: WatcherData}}, `00000002 2f61 00000002`},
	{"RemoveWatchesRequest", &RemoveWatchesRequest{WatchesRequest{Path: "/a", Type: WatcherAny}}, `00000002 2f61 00000003`},
	{"AddWatchRequest", &AddWatchRequest{Path: "/a", Mode: AddWatchPersistentRecursive}, `00000002 2f61 00000001`},
	{"AuthPacket", &AuthPacket{Scheme: "digest", Auth: []byte("u:p")},
		`00000000  00000006 646967657374  00000003 753a70`},
	{"SetWatches", &SetWatches{RelativeZxid: 5, DataWatches: []string{"/a"}, ChildWatches: []string{"/b", "/c"}},
		`00000000 00000005  00000001 00000002 2f61  00000000  00000002 00000002 2f62 00000002 2f63`},
	{"SetWatches2", &SetWatches2{SetWatches: SetWatches{RelativeZxid: 5}, PersistentRecursiveWatches: []string{"/p"}},
		`00000000 00000005  00000000 00000000 00000000  00000000  00000001 00000002 2f70`},
	{"PingRequest", &PingRequest{}, ``},
	{"CloseSessionRequest", &CloseSessionRequest{}, ``},
	{"WhoAmIRequest", &WhoAmIRequest{}, ``},
	{"PathResponse", &PathResponse{Path: "/a0000000001"}, `0000000c 2f6130303030303030303031`},
	{"StatResponse", &StatResponse{Stat: testStat}, statHex},
	{"Create2Response", &Create2Response{Path: "/a", Stat: testStat}, `00000002 2f61` + statHex},
	{"GetDataResponse", &GetDataResponse{Data: []byte("hi"), Stat: testStat}, `00000002 6869` + statHex},
	{"GetDataResponse with null data", &GetDataResponse{Stat: testStat}, `ffffffff` + statHex},
	{"GetACLResponse", &GetACLResponse{ACL: openACL, Stat: testStat}, openACLHex + statHex},
	{"GetChildrenResponse", &GetChildrenResponse{Children: []string{"a", "bc"}}, `00000002 00000001 61 00000002 6263`},
	{"GetChildrenResponse without children", &GetChildrenResponse{}, `00000000`},
	{"GetChildren2Response", &GetChildren2Response{Children: []string{"a"}, Stat: testStat}, `00000001 00000001 61` + statHex},
	{"GetAllChildrenNumberResponse", &GetAllChildrenNumberResponse{TotalNumber: 3}, `00000003`},
	{"GetEphemeralsResponse", &GetEphemeralsResponse{Ephemerals: []string{"/e/x"}}, `00000001 00000004 2f652f78`},
	{"WhoAmIResponse", &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}},
		`00000001 00000002 6970 00000009 3132372e302e302e31`},
	{"ErrorResponse", &ErrorResponse{Err: CodeOK}, `00000000`},
	{"WatcherEvent", &WatcherEvent{Type: EventNodeDataChanged, State: StateSyncConnected, Path: "/a"},
		`00000003 00000003 00000002 2f61`},
	{"WatcherEvent of an expired session", &WatcherEvent{Type: EventNone, State: StateExpired},
		`ffffffff ffffff90 00000000`},
	{"MultiRequest (the example on the type)", &MultiRequest{Ops: []Request{
		&CheckVersionRequest{PathVersionRequest{Path: "/a", Version: 3}},
		&DeleteRequest{PathVersionRequest{Path: "/b", Version: -1}},
	}}, `0000000d 00 ffffffff  00000002 2f61 00000003
		 00000002 00 ffffffff  00000002 2f62 ffffffff
		 ffffffff 01 ffffffff`},
	{"MultiRequest of every write", &MultiRequest{Ops: []Request{
		&CreateRequest{Path: "/a", ACL: openACL},
		&Create2Request{CreateRequest{Path: "/b", ACL: openACL, Flags: ModeEphemeral}},
		&CreateContainerRequest{CreateRequest{Path: "/c", ACL: openACL, Flags: ModeContainer}},
		&CreateTTLRequest{CreateRequest{Path: "/d", ACL: openACL, Flags: ModePersistentWithTTL}, 1},
		&SetDataRequest{Path: "/a", Data: []byte("x"), Version: 0},
	}}, `00000001 00 ffffffff  00000002 2f61 ffffffff ` + openACLHex + ` 00000000
		 0000000f 00 ffffffff  00000002 2f62 ffffffff ` + openACLHex + ` 00000001
		 00000013 00 ffffffff  00000002 2f63 ffffffff ` + openACLHex + ` 00000004
		 00000015 00 ffffffff  00000002 2f64 ffffffff ` + openACLHex + ` 00000005 00000000 00000001
		 00000005 00 ffffffff  00000002 2f61 00000001 78 00000000
		 ffffffff 01 ffffffff`},
	{"empty MultiRequest", &MultiRequest{}, `ffffffff 01 ffffffff`},
	{"MultiReadRequest", &MultiReadRequest{MultiRequest{Ops: []Request{
		&GetChildrenRequest{PathWatchRequest{Path: "/"}},
		&GetDataRequest{PathWatchRequest{Path: "/a"}},
	}}}, `00000008 00 ffffffff  00000001 2f 00
		 00000004 00 ffffffff  00000002 2f61 00
		 ffffffff 01 ffffffff`},
	{"MultiResponse of a multi that succeeded", &MultiResponse{Results: []OpResult{
		{Op: OpCreate, Body: &PathResponse{Path: "/a"}},
		{Op: OpCreate2, Body: &Create2Response{Path: "/b", Stat: testStat}},
		{Op: OpSetData, Body: &StatResponse{Stat: testStat}},
		{Op: OpDelete},
		{Op: OpCheck},
	}}, `00000001 00 00000000  00000002 2f61
		 0000000f 00 00000000  00000002 2f62 ` + statHex + `
		 00000005 00 00000000 ` + statHex + `
		 00000002 00 00000000
		 0000000d 00 00000000
		 ffffffff 01 ffffffff`},
	{"MultiResponse of a multi that failed at its second op", &MultiResponse{Results: []OpResult{
		{Op: OpError, Err: CodeOK},
		{Op: OpError, Err: CodeNoNode},
		{Op: OpError, Err: CodeRuntimeInconsistency},
	}}, `ffffffff 00 00000000  00000000
		 ffffffff 00 ffffff9b  ffffff9b
		 ffffffff 00 fffffffe  fffffffe
		 ffffffff 01 ffffffff`},
	{"MultiResponse of a multiRead", &MultiResponse{Results: []OpResult{
		{Op: OpGetChildren, Body: &GetChildrenResponse{Children: []string{"a"}}},
		{Op: OpGetData, Body: &GetDataResponse{Data: []byte("x"), Stat: testStat}},
		{Op: OpError, Err: CodeNoNode},
	}}, `00000008 00 00000000  00000001 00000001 61
		 00000004 00 00000000  00000001 78 ` + statHex + `
		 ffffffff 00 ffffff9b  ffffff9b
		 ffffffff 01 ffffffff`},
}

func TestRecordEncoding(t *testing.T) {
	for _, tt := range recordCases {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.hex)
			if got := tt.rec.Append(nil); !bytes.Equal(got, want) {
				t.Errorf("Append =\n%x\nwant\n%x", got, want)
			}
			// Append extends the slice it is given.
			if got := tt.rec.Append([]byte{0xaa}); !bytes.Equal(got, append([]byte{0xaa}, want...)) {
				t.Errorf("Append after a prefix = %x", got)
			}
		})
	}
}

func TestRecordDecoding(t *testing.T) {
	for _, tt := range recordCases {
		t.Run(tt.name, func(t *testing.T) {
			input := unhex(t, tt.hex)
			got := zeroOf(tt.rec)
			if err := Decode(input, got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.rec) {
				t.Errorf("Decode =\n%+v\nwant\n%+v", got, tt.rec)
			}
			// The decoded record owns its bytes.
			for i := range input {
				input[i] ^= 0xff
			}
			if !reflect.DeepEqual(got, tt.rec) {
				t.Errorf("decoded record changed with its input: %+v", got)
			}
		})
	}
}

// Nulls and empties: what a Go value becomes on the wire and back.
func TestNullMapping(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want Record
	}{
		{"null buffer decodes as nil", `00000002 2f61 ffffffff 00000000`, &SetDataRequest{Path: "/a"}},
		{"empty buffer decodes as non-nil empty", `00000002 2f61 00000000 00000000`,
			&SetDataRequest{Path: "/a", Data: []byte{}}},
		{"null ustring decodes as empty", `ffffffff 00`, &GetDataRequest{}},
		{"null vector decodes as nil", `ffffffff`, &GetChildrenResponse{}},
		{"empty vector decodes as nil", `00000000`, &GetChildrenResponse{}},
		{"any non-zero byte is true", `00000001 2f 7f`, &ExistsRequest{PathWatchRequest{Path: "/", Watch: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := zeroOf(tt.want)
			if err := Decode(unhex(t, tt.hex), got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// ZooKeeper's server reads the trailing readOnly flag only if the client
// sent it, and ignores anything after a record.
func TestTrailingBytes(t *testing.T) {
	var req ConnectRequest
	if err := Decode(unhex(t, `00000000 00000000 00000000 00000fa0 00000000 00000000 00000000 01 ee`), &req); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !req.HasReadOnly || !req.ReadOnly || req.Passwd == nil {
		t.Errorf("Decode = %+v, want readOnly present and true, empty passwd", req)
	}
	var sync SyncRequest
	if err := Decode(unhex(t, `00000002 2f61 ffff`), &sync); err != nil || sync.Path != "/a" {
		t.Errorf("Decode with trailing bytes = %+v, %v", sync, err)
	}
}
