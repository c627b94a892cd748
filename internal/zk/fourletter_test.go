package zk_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/internal/config"
	"github.com/concordkv/concord/internal/zk/jute"
	"github.com/concordkv/concord/test/cluster"
)

// fourLetters sends word as a connection's first bytes and returns all the
// server sends before it closes.
func fourLetters(t *testing.T, addr, word string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(nc, word); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("%s: %v", word, err)
	}
	return string(out)
}

// TestFourLetterWords checks the whitelist (ZooKeeper's default allows
// only srvr; * allows all) and the reports' formats.
func TestFourLetterWords(t *testing.T) {
	c := cluster.StartInProc(t, 1, cluster.InProcOptions{})
	// a session, so that there is a connection to report besides the
	// four-letter word's own
	cl := dialRaw(t, c.ZKAddr(0))
	cl.session(10 * time.Second)
	cl.ok(createReq("/4lw", "", jute.ModePersistent), jute.CodeOK, nil)
	all := frontEnd(t, c, func(z *config.ZooKeeper) { z.FourLetterWords = []string{"*"} })
	onAll := dialRaw(t, all)
	onAll.session(10 * time.Second)
	onAll.ok(&jute.ExistsRequest{PathWatchRequest: jute.PathWatchRequest{Path: "/4lw", Watch: true}}, jute.CodeOK, nil)

	for _, tc := range []struct {
		addr, word string
		want       []string // substrings, in order
	}{
		{c.ZKAddr(0), "srvr", []string{"Zookeeper version: 3.8.0-concord\n", "Latency min/avg/max: ", "Received: ", "Sent: ",
			"Connections: 2\n", "Outstanding: 0\n", "Zxid: 0x", "Mode: standalone\n", "Node count: "}},
		{c.ZKAddr(0), "ruok", []string{"ruok is not executed because it is not in the whitelist.\n"}},
		{c.ZKAddr(0), "mntr", []string{"mntr is not executed because it is not in the whitelist.\n"}},
		{all, "ruok", []string{"imok"}},
		{all, "isro", []string{"rw"}},
		{all, "stat", []string{"Zookeeper version: ", "Clients:\n /127.0.0.1:", "(queued=0,recved=", "\nLatency min/avg/max: ", "Mode: standalone\n"}},
		{all, "cons", []string{" /127.0.0.1:", "[1](queued=0,recved=", ",sid=0x", ",lop=exists,", ",to=10000,", ",lzxid=0x", ")\n\n"}},
		{all, "mntr", []string{"zk_version\t3.8.0-concord\n", "zk_server_state\tstandalone\n", "zk_avg_latency\t", "zk_packets_received\t",
			"zk_num_alive_connections\t", "zk_znode_count\t", "zk_watch_count\t1\n"}},
		{all, "conf", []string{"clientPort=", "clientPortAddress=127.0.0.1\n", "maxClientCnxns=60\n", "minSessionTimeout=4000\n",
			"maxSessionTimeout=40000\n", "jute.maxbuffer=1048575\n"}},
		{all, "envi", []string{"Environment:\n", "zookeeper.version=3.8.0-concord\n", "host.name=", "os.name="}},
	} {
		out := fourLetters(t, tc.addr, tc.word)
		rest := out
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s on %s: %q not found in order in:\n%s", tc.word, tc.addr, w, out)
				break
			}
			rest = rest[i+len(w):]
		}
	}
	// not a four-letter word: the first frame of a bad client
	if out := fourLetters(t, all, "abcd"); out != "" {
		t.Errorf("abcd answered %q", out)
	}
}
