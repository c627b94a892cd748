package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// etcdConns opens n clients, connection i to member i mod len(endpoints);
// with n == 1 the one connection goes to the leader.
func etcdConns(t Target, n int) ([]*clientv3.Client, error) {
	conns := make([]*clientv3.Client, 0, n)
	for i := range n {
		ep := t.EtcdEndpoints[i%len(t.EtcdEndpoints)]
		if n == 1 {
			ep = t.EtcdEndpoints[t.Leader]
		}
		cli, err := clientv3.New(clientv3.Config{
			Endpoints:   []string{ep},
			DialTimeout: 5 * time.Second,
			Logger:      zap.NewNop(),
		})
		if err != nil {
			closeEtcd(conns)
			return nil, fmt.Errorf("load: connect %s: %w", ep, err)
		}
		conns = append(conns, cli)
	}
	return conns, nil
}

func closeEtcd(conns []*clientv3.Client) {
	for _, c := range conns {
		c.Close()
	}
}

// unsupported turns a gRPC Unimplemented error into ErrUnsupported.
func unsupported(what string, err error) error {
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("%w: %s answers Unimplemented (%v)", ErrUnsupported, what, status.Convert(err).Message())
	}
	return err
}

// keyNames returns n keys under prefix: prefix/k000000, ...
func keyNames(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s/k%06d", prefix, i)
	}
	return keys
}

// value returns a value of size bytes, different per seed.
func value(size int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x636f6e636f7264))
	b := make([]byte, size)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

// preloadEtcd writes every key once, 32 at a time, unless the last key
// already exists (an earlier workload on the same cluster wrote them).
func preloadEtcd(ctx context.Context, conns []*clientv3.Client, keys []string, val string) error {
	resp, err := conns[0].Get(ctx, keys[len(keys)-1], clientv3.WithCountOnly())
	if err != nil {
		return fmt.Errorf("load: preload: %w", err)
	}
	if resp.Count > 0 {
		return nil
	}
	return parallel(ctx, len(keys), 32, func(ctx context.Context, i int) error {
		_, err := conns[i%len(conns)].Put(ctx, keys[i], val)
		return err
	})
}

// parallel calls f(i) for i in [0, n) on at most width goroutines and
// returns the first error.
func parallel(parent context.Context, n, width int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, width)
	var wg sync.WaitGroup
	for range width {
		wg.Add(1)
		go func() { // owner: parallel, which waits below
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return parent.Err()
}

// clientRand returns client i's random source, the same in every run.
func clientRand(i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(i)+1, 0xbe4c))
}
