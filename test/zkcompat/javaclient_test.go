package zkcompat

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordkv/concord/test/cluster"
)

// TestJavaClient feeds testdata/javaclient.txt to testdata/ZkClient.java,
// ZooKeeper's own Java client, for the operations go-zookeeper lacks:
// create2 in every mode, getEphemerals, getAllChildrenNumber, multiRead,
// persistent and persistent-recursive watches (addWatch), removeWatches and
// checkWatches, whoAmI with digest auth, and the setWatches2 the client
// sends when it reconnects.
func TestJavaClient(t *testing.T) {
	classpath := compileJava(t, "ZkClient.java")
	steps := readTranscript(t, "testdata/javaclient.txt")
	tg := startTarget(t)

	var links []*cluster.Link
	var addrs []string
	for i, s := range tg.servers {
		l, err := cluster.NewLink(s, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Close)
		links = append(links, l)
		addrs = append(addrs, l.Addr())
	}
	expand := strings.NewReplacer("{links}", strings.Join(addrs, ","), "{servers}", strings.Join(tg.servers, ","))

	repl := startREPL(t, classpath)
	norm := newReplyNormaliser()
	start := time.Now()
	for _, s := range steps {
		switch s.command {
		case "!cut":
			for _, l := range links {
				l.Cut()
			}
			continue
		case "!heal":
			for _, l := range links {
				l.Heal()
			}
			continue
		}
		got := norm.normalise(repl.do(t, expand.Replace(s.command)))
		if want := strings.Join(s.output, "\n"); got != want {
			t.Fatalf("%s\n got: %s\nwant: %s", s.command, got, want)
		}
	}
	t.Logf("%d commands (JVM start included) took %v", len(steps), time.Since(start).Round(time.Millisecond))
}

// replyNormaliser names zxids and session IDs in ZkClient's replies by
// order of first appearance and replaces recent times with TIME.
type replyNormaliser struct {
	zxids, sessions *labels
}

func newReplyNormaliser() *replyNormaliser {
	return &replyNormaliser{zxids: newLabels("Z"), sessions: newLabels("S")}
}

var replyField = regexp.MustCompile(`\b(czxid|mzxid|pzxid|ctime|mtime|owner|session)=(-?[0-9a-f]+)`)

func (n *replyNormaliser) normalise(reply string) string {
	reply = strings.TrimRight(reply, " ")
	return replyField.ReplaceAllStringFunc(reply, func(field string) string {
		m := replyField.FindStringSubmatch(field)
		key, val := m[1], m[2]
		base := 10
		if key == "session" {
			base = 16
		}
		v, err := strconv.ParseInt(val, base, 64)
		if err != nil {
			return field
		}
		switch key {
		case "ctime", "mtime":
			if recent(v) {
				return key + "=TIME"
			}
			return field
		case "owner", "session":
			return key + "=" + n.sessions.name(v)
		default:
			return key + "=" + n.zxids.name(v)
		}
	})
}
