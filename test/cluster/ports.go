// Package cluster starts Concord clusters for tests: real `concord serve`
// processes built from this checkout (Process), killed with SIGKILL and
// restarted on their data, or in-process members behind a fault-injecting
// transport (InProc). Every cluster stops every member it started when the
// test ends.
package cluster

import (
	"fmt"
	"net"
	"testing"
)

// FreePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("cluster: reserve port: %v", err)
		}
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// memberURLs names the client and peer URLs of member i, and the address
// of its ZooKeeper front end (members on one host need a port each).
type memberURLs struct {
	name, client, peer, zk string
}

func allocate(t testing.TB, n int) []memberURLs {
	ports := FreePorts(t, 3*n)
	out := make([]memberURLs, n)
	for i := range out {
		out[i] = memberURLs{
			name:   fmt.Sprintf("m%d", i),
			client: fmt.Sprintf("http://127.0.0.1:%d", ports[3*i]),
			peer:   fmt.Sprintf("http://127.0.0.1:%d", ports[3*i+1]),
			zk:     fmt.Sprintf("127.0.0.1:%d", ports[3*i+2]),
		}
	}
	return out
}

func initialCluster(urls []memberURLs) string {
	var s string
	for i, u := range urls {
		if i > 0 {
			s += ","
		}
		s += u.name + "=" + u.peer
	}
	return s
}
