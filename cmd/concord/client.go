package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// clientFlags are the flags every client verb takes.
type clientFlags struct {
	endpoints *string
	timeout   *time.Duration
}

func newClientFlags(fs *flag.FlagSet) clientFlags {
	return clientFlags{
		endpoints: fs.String("endpoints", envOr("CONCORD_ENDPOINTS", "127.0.0.1:2379"), "comma-separated client endpoints (env CONCORD_ENDPOINTS)"),
		timeout:   fs.Duration("timeout", 5*time.Second, "bound on the whole command"),
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// run connects and calls f with a context bounded by --timeout.
func (c clientFlags) run(f func(ctx context.Context, cli *clientv3.Client) error) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: splitList(*c.endpoints), DialTimeout: *c.timeout, Logger: nil})
	if err != nil {
		return fmt.Errorf("connect to %s: %w", *c.endpoints, err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *c.timeout)
	defer cancel()
	return f(ctx, cli)
}

// parse parses args and checks the number of positional arguments.
func parse(fs *flag.FlagSet, args []string, want int, usage string) error {
	fs.Usage = func() { fmt.Fprintf(fs.Output(), "usage: concord %s\n", usage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != want {
		fs.Usage()
		return fmt.Errorf("want %d arguments, got %d", want, fs.NArg())
	}
	return nil
}

func put(args []string) error {
	fs := flag.NewFlagSet("put", flag.ContinueOnError)
	c := newClientFlags(fs)
	if err := parse(fs, args, 2, "put KEY VALUE"); err != nil {
		return err
	}
	return c.run(func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Put(ctx, fs.Arg(0), fs.Arg(1))
		if err != nil {
			return err
		}
		fmt.Printf("OK (revision %d)\n", resp.Header.Revision)
		return nil
	})
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	c := newClientFlags(fs)
	prefix := fs.Bool("prefix", false, "read every key starting with KEY")
	serializable := fs.Bool("serializable", false, "read from the local member without a quorum round")
	if err := parse(fs, args, 1, "get KEY [--prefix]"); err != nil {
		return err
	}
	var opts []clientv3.OpOption
	if *prefix {
		opts = append(opts, clientv3.WithPrefix())
	}
	if *serializable {
		opts = append(opts, clientv3.WithSerializable())
	}
	return c.run(func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Get(ctx, fs.Arg(0), opts...)
		if err != nil {
			return err
		}
		for _, kv := range resp.Kvs {
			fmt.Printf("%s\n%s\n", kv.Key, kv.Value)
		}
		return nil
	})
}

func del(args []string) error {
	fs := flag.NewFlagSet("del", flag.ContinueOnError)
	c := newClientFlags(fs)
	prefix := fs.Bool("prefix", false, "delete every key starting with KEY")
	if err := parse(fs, args, 1, "del KEY [--prefix]"); err != nil {
		return err
	}
	var opts []clientv3.OpOption
	if *prefix {
		opts = append(opts, clientv3.WithPrefix())
	}
	return c.run(func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.Delete(ctx, fs.Arg(0), opts...)
		if err != nil {
			return err
		}
		fmt.Println(resp.Deleted)
		return nil
	})
}

func status(args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	c := newClientFlags(fs)
	if err := parse(fs, args, 0, "status"); err != nil {
		return err
	}
	return c.run(func(ctx context.Context, cli *clientv3.Client) error {
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ENDPOINT\tID\tLEADER\tTERM\tCOMMIT\tAPPLIED\tREVISION")
		for _, ep := range splitList(*c.endpoints) {
			st, err := cli.Status(ctx, ep)
			if err != nil {
				fmt.Fprintf(w, "%s\terror: %v\n", ep, err)
				continue
			}
			fmt.Fprintf(w, "%s\t%x\t%x\t%d\t%d\t%d\t%d\n", ep, st.Header.MemberId, st.Leader, st.RaftTerm, st.RaftIndex, st.RaftAppliedIndex, st.Header.Revision)
		}
		return w.Flush()
	})
}

func members(args []string) error {
	fs := flag.NewFlagSet("members", flag.ContinueOnError)
	c := newClientFlags(fs)
	if err := parse(fs, args, 0, "members"); err != nil {
		return err
	}
	return c.run(func(ctx context.Context, cli *clientv3.Client) error {
		resp, err := cli.MemberList(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tPEER URLS\tCLIENT URLS")
		for _, m := range resp.Members {
			fmt.Fprintf(w, "%x\t%s\t%s\t%s\n", m.ID, m.Name, strings.Join(m.PeerURLs, ","), strings.Join(m.ClientURLs, ","))
		}
		return w.Flush()
	})
}
