package load

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// leaseTTL is the TTL of churned leases, in seconds; each is revoked long
// before it could expire.
const leaseTTL = 10

// etcdLeaseChurn grants a lease, puts a key attached to it and revokes it:
// one operation is the three round trips, the life of a short session.
type etcdLeaseChurn struct{ *etcdKV }

func newEtcdLeaseChurn(ctx context.Context, s setup) (driver, error) {
	conns, err := etcdConns(s.t, s.w.Conns)
	if err != nil {
		return nil, err
	}
	kv := &etcdKV{conns: conns, keys: keyNames(s.name, s.w.Clients)}
	kv.vals = []string{string(value(s.o.ValueSize, 0))}
	// Probe: a system without leases answers Unimplemented.
	lease, err := conns[0].Grant(ctx, leaseTTL)
	if err != nil {
		kv.close()
		return nil, unsupported("Lease.LeaseGrant", err)
	}
	if _, err := conns[0].Revoke(ctx, lease.ID); err != nil {
		kv.close()
		return nil, unsupported("Lease.LeaseRevoke", err)
	}
	return etcdLeaseChurn{kv}, nil
}

func (d etcdLeaseChurn) worker(i int) func(context.Context) error {
	cli, key, val := d.conn(i), d.keys[i], d.vals[0]
	return func(ctx context.Context) error {
		lease, err := cli.Grant(ctx, leaseTTL)
		if err != nil {
			return err
		}
		if _, err := cli.Put(ctx, key, val, clientv3.WithLease(lease.ID)); err != nil {
			return err
		}
		_, err = cli.Revoke(ctx, lease.ID)
		return err
	}
}
