package membership

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestIDsAreStable(t *testing.T) {
	a := MemberID([]string{"http://127.0.0.1:2380", "http://10.0.0.1:2380"}, "tok")
	b := MemberID([]string{"http://10.0.0.1:2380", "http://127.0.0.1:2380"}, "tok")
	if a != b || a == 0 {
		t.Fatalf("MemberID not order-independent or zero: %x %x", a, b)
	}
	if MemberID([]string{"http://127.0.0.1:2380"}, "other") == MemberID([]string{"http://127.0.0.1:2380"}, "tok") {
		t.Fatal("token does not change the member ID")
	}
	if ClusterID([]uint64{1, 2, 3}, "t") != ClusterID([]uint64{3, 1, 2}, "t") {
		t.Fatal("ClusterID depends on order")
	}
}

func TestTableRoundTrip(t *testing.T) {
	tb := NewTable()
	tb.Add(Member{ID: 2, Name: "b", PeerURLs: []string{"http://h:2"}})
	tb.Add(Member{ID: 1, Name: "a", PeerURLs: []string{"http://h:1"}})
	if !tb.Publish(1, "a", []string{"http://h:11"}) || tb.Publish(9, "x", nil) {
		t.Fatal("Publish reported the wrong membership")
	}
	b, err := json.Marshal(tb)
	if err != nil {
		t.Fatal(err)
	}
	got := NewTable()
	if err := json.Unmarshal(b, got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.List(), tb.List()) {
		t.Fatalf("round trip: got %+v want %+v", got.List(), tb.List())
	}
	m, err := Decode(tb.List()[0].Encode())
	if err != nil || !reflect.DeepEqual(m, tb.List()[0]) {
		t.Fatalf("Encode/Decode: %+v %v", m, err)
	}
}
