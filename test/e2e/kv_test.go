// Package e2e runs etcd's own Go client against clusters of real `concord
// serve` processes on loopback.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/concordkv/concord/test/cluster"
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func keys(resp *clientv3.GetResponse) []string {
	var out []string
	for _, kv := range resp.Kvs {
		out = append(out, string(kv.Key))
	}
	return out
}

func TestClientV3AgainstThreeProcesses(t *testing.T) {
	c := cluster.StartProcesses(t, 3)
	cli := c.Client()
	ctx := ctxFor(t, 60*time.Second)

	first, err := cli.Put(ctx, "fruit/apple", "red")
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	for _, kv := range [][2]string{{"fruit/banana", "yellow"}, {"fruit/cherry", "dark red"}, {"veg/leek", "green"}, {"fruit/apple", "green"}} {
		if _, err := cli.Put(ctx, kv[0], kv[1]); err != nil {
			t.Fatalf("put %s: %v", kv[0], err)
		}
	}

	t.Run("get one key", func(t *testing.T) {
		resp, err := cli.Get(ctx, "fruit/apple")
		if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "green" || resp.Kvs[0].Version != 2 {
			t.Fatalf("get = %+v, %v", resp, err)
		}
		if resp.Kvs[0].CreateRevision != first.Header.Revision || resp.Header.ClusterId == 0 || resp.Header.MemberId == 0 || resp.Header.RaftTerm == 0 {
			t.Fatalf("revisions or header wrong: %+v", resp)
		}
	})
	cases := []struct {
		name string
		key  string
		opts []clientv3.OpOption
		want []string
	}{
		{"prefix", "fruit/", []clientv3.OpOption{clientv3.WithPrefix()}, []string{"fruit/apple", "fruit/banana", "fruit/cherry"}},
		{"range", "fruit/b", []clientv3.OpOption{clientv3.WithRange("veg/")}, []string{"fruit/banana", "fruit/cherry"}},
		{"from key", "fruit/c", []clientv3.OpOption{clientv3.WithFromKey()}, []string{"fruit/cherry", "veg/leek"}},
		{"limit", "fruit/", []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithLimit(2)}, []string{"fruit/apple", "fruit/banana"}},
		{"sort by key descending", "fruit/", []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend)}, []string{"fruit/cherry", "fruit/banana", "fruit/apple"}},
		{"sort by mod revision", "", []clientv3.OpOption{clientv3.WithFromKey(), clientv3.WithSort(clientv3.SortByModRevision, clientv3.SortAscend)}, []string{"fruit/banana", "fruit/cherry", "veg/leek", "fruit/apple"}},
		{"at old revision", "fruit/", []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithRev(first.Header.Revision)}, []string{"fruit/apple"}},
		{"serializable", "veg/", []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithSerializable()}, []string{"veg/leek"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "" {
				key = "\x00"
			}
			resp, err := cli.Get(ctx, key, tc.opts...)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if got := keys(resp); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("keys = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("count only and old value", func(t *testing.T) {
		resp, err := cli.Get(ctx, "fruit/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil || resp.Count != 3 || len(resp.Kvs) != 0 {
			t.Fatalf("count = %+v, %v", resp, err)
		}
		old, err := cli.Get(ctx, "fruit/apple", clientv3.WithRev(first.Header.Revision))
		if err != nil || string(old.Kvs[0].Value) != "red" {
			t.Fatalf("old value = %+v, %v", old, err)
		}
	})
	t.Run("txn compare and swap", func(t *testing.T) {
		get, _ := cli.Get(ctx, "fruit/apple")
		rev := get.Kvs[0].ModRevision
		resp, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision("fruit/apple"), "=", rev)).
			Then(clientv3.OpPut("fruit/apple", "yellow")).Else(clientv3.OpGet("fruit/apple")).Commit()
		if err != nil || !resp.Succeeded {
			t.Fatalf("first CAS = %+v, %v", resp, err)
		}
		resp, err = cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision("fruit/apple"), "=", rev)).
			Then(clientv3.OpPut("fruit/apple", "blue")).Else(clientv3.OpGet("fruit/apple")).Commit()
		if err != nil || resp.Succeeded {
			t.Fatalf("stale CAS succeeded: %+v, %v", resp, err)
		}
		if v := resp.Responses[0].GetResponseRange().Kvs[0].Value; string(v) != "yellow" {
			t.Fatalf("else branch read %q, want yellow", v)
		}
		_, err = cli.Txn(ctx).Then(clientv3.OpPut("dup", "1"), clientv3.OpPut("dup", "2")).Commit()
		if !errors.Is(err, rpctypes.ErrDuplicateKey) {
			t.Fatalf("duplicate key txn error = %v, want %v", err, rpctypes.ErrDuplicateKey)
		}
	})
	t.Run("delete", func(t *testing.T) {
		resp, err := cli.Delete(ctx, "fruit/", clientv3.WithPrefix(), clientv3.WithPrevKV())
		if err != nil || resp.Deleted != 3 || len(resp.PrevKvs) != 3 {
			t.Fatalf("delete = %+v, %v", resp, err)
		}
		get, err := cli.Get(ctx, "fruit/", clientv3.WithPrefix())
		if err != nil || len(get.Kvs) != 0 {
			t.Fatalf("get after delete = %+v, %v", get, err)
		}
	})
	t.Run("compact", func(t *testing.T) {
		cur, err := cli.Get(ctx, "veg/leek")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Compact(ctx, cur.Header.Revision); err != nil {
			t.Fatalf("compact: %v", err)
		}
		_, err = cli.Get(ctx, "veg/leek", clientv3.WithRev(first.Header.Revision))
		if !errors.Is(err, rpctypes.ErrCompacted) {
			t.Fatalf("get at compacted revision: %v, want %v", err, rpctypes.ErrCompacted)
		}
		_, err = cli.Get(ctx, "veg/leek", clientv3.WithRev(cur.Header.Revision+1000))
		if !errors.Is(err, rpctypes.ErrFutureRev) {
			t.Fatalf("get at future revision: %v, want %v", err, rpctypes.ErrFutureRev)
		}
	})
	t.Run("limits", func(t *testing.T) {
		big := make([]byte, 2<<20)
		if _, err := cli.Put(ctx, "big", string(big)); err == nil {
			t.Fatal("a 2 MiB put was accepted")
		}
		ops := make([]clientv3.Op, 129)
		for i := range ops {
			ops[i] = clientv3.OpPut(fmt.Sprintf("k%d", i), "v")
		}
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); !errors.Is(err, rpctypes.ErrTooManyOps) {
			t.Fatalf("129-op txn error = %v, want %v", err, rpctypes.ErrTooManyOps)
		}
		if _, err := cli.Put(ctx, "leased", "v", clientv3.WithLease(12345)); !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			t.Fatalf("put with unknown lease: %v, want %v", err, rpctypes.ErrLeaseNotFound)
		}
	})
	t.Run("status and member list", func(t *testing.T) {
		members, err := cli.MemberList(ctx)
		if err != nil || len(members.Members) != 3 {
			t.Fatalf("member list = %+v, %v", members, err)
		}
		ok := cluster.Eventually(10*time.Second, func() bool {
			members, err = cli.MemberList(ctx)
			for _, m := range members.Members {
				if len(m.ClientURLs) == 0 || m.Name == "" {
					return false
				}
			}
			return err == nil
		})
		if !ok {
			t.Fatalf("members never published their client URLs: %+v", members.Members)
		}
		var leader uint64
		for _, ep := range c.Endpoints() {
			st, err := cli.Status(ctx, ep)
			if err != nil {
				t.Fatalf("status %s: %v", ep, err)
			}
			if leader != 0 && st.Leader != leader {
				t.Fatalf("members disagree on the leader: %x vs %x", st.Leader, leader)
			}
			leader = st.Leader
			if st.RaftIndex == 0 || st.RaftTerm == 0 || st.Version == "" || st.DbSize == 0 || st.RaftAppliedIndex == 0 {
				t.Fatalf("status of %s incomplete: %+v", ep, st)
			}
		}
	})
}
