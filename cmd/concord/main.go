// Command concord is the Concord server and its command-line client.
//
//	concord serve [flags]      run a member (no flags: a single-member cluster in ./concord-data)
//	concord put KEY VALUE      write a key
//	concord get KEY [--prefix] read keys
//	concord del KEY [--prefix] delete keys
//	concord status             show each endpoint's raft status
//	concord members            list the cluster's members
//	concord check              run checked workloads against a live cluster (docs/check.md)
package main

import (
	"fmt"
	"os"
)

const usage = `usage: concord <command> [flags]

commands:
  serve     run a member (no flags: a ready single-member cluster, data in ./concord-data)
  put       put KEY VALUE
  get       get KEY [--prefix]
  del       del KEY [--prefix]
  status    raft status of each endpoint
  members   list the cluster's members
  check     run checked workloads (register, append, lock, watch) against a live cluster

Run 'concord <command> -h' for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	verbs := map[string]func([]string) error{
		"serve":   serve,
		"put":     put,
		"get":     get,
		"del":     del,
		"status":  status,
		"members": members,
		"check":   runCheck,
	}
	verb, ok := verbs[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "concord: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := verb(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "concord %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
