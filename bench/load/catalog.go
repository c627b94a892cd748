package load

// Workloads returns the benchmark's workloads in report order; full adds
// those run only in full mode.
func Workloads(full bool) []*Workload {
	var out []*Workload
	for _, w := range catalog() {
		if full || !w.FullOnly {
			out = append(out, w)
		}
	}
	return out
}

func catalog() []*Workload {
	return []*Workload{
		{
			Name: "put-1", Title: "put 256 B, 1 client", Clients: 1, Conns: 1,
			Note: "random key of 1 000, through the leader; ZooKeeper: setData",
			etcd: newEtcdPut, zk: newZKPut,
		},
		{
			Name: "put-64", Title: "put 256 B, 64 clients / 8 conns", Clients: 64, Conns: 8,
			Note: "random key of 1 000; ZooKeeper: setData",
			etcd: newEtcdPut, zk: newZKPut,
		},
		{
			Name: "get-linearizable", Title: "linearizable get, 64 clients", Clients: 64, Conns: 8,
			Note: "random key of 1 000; ZooKeeper: sync + getData (two round trips)",
			etcd: newEtcdGet(false), zk: newZKGet(true),
		},
		{
			Name: "get-serializable", Title: "serializable get, 64 clients", Clients: 64, Conns: 8,
			Note: "random key of 1 000, answered by the member connected to; ZooKeeper: getData",
			etcd: newEtcdGet(true), zk: newZKGet(false),
		},
		{
			Name: "mixed-90-10", Title: "mixed 90% get / 10% put, 64 clients", Clients: 64, Conns: 8,
			Note: "etcd v3: linearizable get; ZooKeeper: getData / setData",
			etcd: newEtcdMixed, zk: newZKMixed,
		},
		{
			Name: "txn-cas", Title: "txn compare-and-swap, 100 hot keys, 64 clients", Clients: 64, Conns: 8,
			Note: "etcd v3: txn on mod revision, else get; ZooKeeper: versioned setData, getData after BadVersion",
			etcd: newEtcdCAS, zk: newZKCAS,
		},
		{
			Name: "lease-churn", Title: "lease grant + put + revoke, 64 clients", Clients: 64, Conns: 8,
			Note: "one operation is the three calls; ZooKeeper's sessions are in the ephemeral row",
			etcd: newEtcdLeaseChurn,
		},
		{
			Name: "watch-1000", Title: "watch delivery, 1 writer, 1 000 watchers", Clients: 1, Conns: 8, Watchers: 1000,
			Note: "50 puts/s through the leader; an operation is one event delivered to one watcher; latency from put issued to event received",
			etcd: newEtcdWatch,
		},
		{
			Name: "watch-10000", Title: "watch delivery, 1 writer, 10 000 watchers", Clients: 1, Conns: 8, Watchers: 10000,
			Note: "5 puts/s through the leader (the same 50 000 deliveries/s); an operation is one event delivered to one watcher", FullOnly: true,
			etcd: newEtcdWatch,
		},
		{
			Name: "zk-create", Title: "ZooKeeper create 256 B, 64 clients / 8 conns", Clients: 64, Conns: 8,
			Note: "a new persistent node per operation, every client under one parent",
			zk:   newZKCRUD(true),
		},
		{
			Name: "zk-setdata", Title: "ZooKeeper setData 256 B, 64 clients / 8 conns", Clients: 64, Conns: 8,
			Note: "random node of 1 000; put-64 in ZooKeeper's protocol, so Concord answers it through its ZooKeeper front end",
			zk:   newZKPut,
		},
		{
			Name: "zk-getdata", Title: "ZooKeeper getData, 64 clients / 8 conns", Clients: 64, Conns: 8,
			Note: "random node of 1 000, answered by the member connected to (ZooKeeper's sequential consistency)",
			zk:   newZKGet(false),
		},
		{
			Name: "zk-crud", Title: "ZooKeeper create / getData / setData / delete, 64 clients", Clients: 64, Conns: 8,
			Note: "each of the four calls is one operation",
			zk:   newZKCRUD(false),
		},
		{
			Name: "zk-ephemeral", Title: "ZooKeeper ephemeral churn (session + ephemeral node + close), 16 clients", Clients: 16, Conns: 16,
			Note: "one operation: open a session, create an ephemeral node, close the session",
			zk:   newZKSessions(true),
		},
		{
			Name: "zk-connect", Title: "ZooKeeper connect/close storm, 16 clients", Clients: 16, Conns: 16,
			Note: "one operation: open a session and close it",
			zk:   newZKSessions(false),
		},
	}
}
