package zk

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Version is the ZooKeeper version Concord's front end reports: the
// protocol and semantics it follows.
const Version = "3.8.0-concord"

// fourLetterWords are the four-letter words served on the client port
// (zookeeperAdmin.md, "The Four Letter Words"): each prints a report.
var fourLetterWords = map[string]func(s *Server) string{
	"ruok": func(*Server) string { return "imok" },
	"isro": func(*Server) string { return "rw" },
	"srvr": (*Server).srvr,
	"stat": (*Server).stat,
	"cons": (*Server).cons,
	"mntr": (*Server).mntr,
	"conf": (*Server).conf,
	"envi": (*Server).envi,
}

// notServing is what ZooKeeper answers the reports while it has no quorum.
const notServing = "This ZooKeeper instance is not currently serving requests\n"

// fourLetter answers word on nc, which then closes, if word is a
// four-letter word this server knows: its report if the whitelist allows
// it, else ZooKeeper's refusal. It reports whether word was one.
func (s *Server) fourLetter(nc net.Conn, word string) bool {
	report, ok := fourLetterWords[word]
	if !ok {
		return false
	}
	nc.SetDeadline(time.Now().Add(handshakeTimeout))
	out := word + " is not executed because it is not in the whitelist.\n"
	if s.words == nil || s.words[word] {
		out = report(s)
	}
	io.WriteString(nc, out)
	// half-close, then wait for the client to close, so that what it may
	// still send does not reset the connection before it has read ours
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.CloseWrite()
		nc.SetReadDeadline(time.Now().Add(time.Second))
		io.Copy(io.Discard, io.LimitReader(nc, 1<<16))
	}
	return true
}

// summary gathers what the reports print.
type summary struct {
	member      MemberStatus
	stats       counts
	conns       []*conn
	outstanding int64
	watches     int
	zxid        int64
	nodes       int
}

func (s *Server) summary() summary {
	sum := summary{member: s.member.Status(), stats: s.stats.snapshot(), conns: s.connections()}
	for _, c := range sum.conns {
		sum.outstanding += c.queued.Load()
		sum.watches += c.watchCount()
	}
	rd := s.b.Reader()
	sum.zxid = rd.Rev()
	if n, err := rd.AllChildrenNumber("/"); err == nil {
		sum.nodes = n + 1 // and the root
	}
	return sum
}

// serverStats is the part srvr and stat share (ServerStats.toString).
func (sum *summary) serverStats(b *strings.Builder) {
	lat := &sum.stats.lat
	fmt.Fprintf(b, "Latency min/avg/max: %d/%s/%d\n", lat.minMs(), javaDouble(lat.avgMs()), lat.maxMs())
	fmt.Fprintf(b, "Received: %d\nSent: %d\nConnections: %d\nOutstanding: %d\nZxid: 0x%x\nMode: %s\nNode count: %d\n",
		sum.stats.received, sum.stats.sent, len(sum.conns), sum.outstanding, sum.zxid, sum.member.Mode, sum.nodes)
}

func (s *Server) srvr() string { return s.report(false) }

func (s *Server) stat() string { return s.report(true) }

// report is srvr's report, or stat's, which lists the clients too.
func (s *Server) report(clients bool) string {
	sum := s.summary()
	if sum.member.Mode == "" {
		return notServing
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Zookeeper version: %s\n", Version)
	if clients {
		b.WriteString("Clients:\n")
		for _, c := range sum.conns {
			st := c.stats.snapshot()
			fmt.Fprintf(&b, " /%s[1](queued=%d,recved=%d,sent=%d)\n", c.remote, c.queued.Load(), st.received, st.sent)
		}
		b.WriteString("\n")
	}
	sum.serverStats(&b)
	return b.String()
}

// cons lists the connections (ServerCnxn.dumpConnectionInfo).
func (s *Server) cons() string {
	var b strings.Builder
	for _, c := range s.connections() {
		st := c.stats.snapshot()
		var session, timeout int64 // a connection without a session yet: 0, as ZooKeeper prints it
		if c.established.Load() {
			session, timeout = c.session, c.timeout.Milliseconds()
		}
		fmt.Fprintf(&b, " /%s[1](queued=%d,recved=%d,sent=%d,sid=%s,lop=%s,est=%d,to=%d,lcxid=0x%x,lzxid=0x%x,lresp=%d,llat=%d,minlat=%d,avglat=%s,maxlat=%d)\n",
			c.remote, c.queued.Load(), st.received, st.sent, sessionHex(session), orNA(st.lastOp), c.est.UnixMilli(),
			timeout, st.lastXid, st.lastZxid, unixMilli(st.lastResp), st.lastLat.Milliseconds(),
			st.lat.minMs(), javaDouble(st.lat.avgMs()), st.lat.maxMs())
	}
	b.WriteString("\n")
	return b.String()
}

// mntr prints tab-separated zk_* keys, as ZooKeeper's monitoring command
// does; it leaves out the ones Concord cannot compute (ephemerals count,
// approximate data size: they are cluster-wide sums ZooKeeper keeps in
// memory).
func (s *Server) mntr() string {
	sum := s.summary()
	if sum.member.Mode == "" {
		return notServing
	}
	lat := &sum.stats.lat
	lines := [][2]string{
		{"zk_version", Version},
		{"zk_server_state", sum.member.Mode},
		{"zk_avg_latency", javaDouble(lat.avgMs())},
		{"zk_max_latency", strconv.FormatInt(lat.maxMs(), 10)},
		{"zk_min_latency", strconv.FormatInt(lat.minMs(), 10)},
		{"zk_packets_received", strconv.FormatInt(sum.stats.received, 10)},
		{"zk_packets_sent", strconv.FormatInt(sum.stats.sent, 10)},
		{"zk_num_alive_connections", strconv.Itoa(len(sum.conns))},
		{"zk_outstanding_requests", strconv.FormatInt(sum.outstanding, 10)},
		{"zk_znode_count", strconv.Itoa(sum.nodes)},
		{"zk_watch_count", strconv.Itoa(sum.watches)},
		{"zk_uptime", strconv.FormatInt(time.Since(s.started).Milliseconds(), 10)},
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		lines = append(lines, [2]string{"zk_open_file_descriptor_count", strconv.Itoa(len(fds))})
	}
	if sum.member.Mode == "leader" {
		lines = append(lines, [2]string{"zk_followers", strconv.Itoa(sum.member.Members - 1)})
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s\t%s\n", l[0], l[1])
	}
	return b.String()
}

// conf prints the front end's configuration with ZooKeeper's names.
func (s *Server) conf() string {
	st := s.member.Status()
	var b strings.Builder
	if s.addr() != nil {
		if host, port, err := net.SplitHostPort(s.addr().String()); err == nil {
			fmt.Fprintf(&b, "clientPort=%s\nclientPortAddress=%s\n", port, host)
		}
	}
	fmt.Fprintf(&b, "dataDir=%s\nmaxClientCnxns=%d\nminSessionTimeout=%d\nmaxSessionTimeout=%d\nserverId=%d\njute.maxbuffer=%d\n",
		st.DataDir, s.cfg.MaxClientCnxns, s.cfg.MinSessionTimeout.Milliseconds(), s.cfg.MaxSessionTimeout.Milliseconds(),
		st.ID, s.cfg.MaxBuffer)
	return b.String()
}

// envi prints the environment, with the Go runtime's names where
// ZooKeeper prints the JVM's.
func (s *Server) envi() string {
	var b strings.Builder
	b.WriteString("Environment:\n")
	host, _ := os.Hostname()
	wd, _ := os.Getwd()
	name, home := "", ""
	if u, err := user.Current(); err == nil {
		name, home = u.Username, u.HomeDir
	}
	for _, kv := range [][2]string{
		{"zookeeper.version", Version}, {"host.name", host}, {"go.version", runtime.Version()},
		{"os.name", runtime.GOOS}, {"os.arch", runtime.GOARCH}, {"os.cpus", strconv.Itoa(runtime.NumCPU())},
		{"user.name", name}, {"user.home", home}, {"user.dir", wd}, {"process.id", strconv.Itoa(os.Getpid())},
	} {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	return b.String()
}

// addr returns the address Serve listens on, nil before.
func (s *Server) addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// javaDouble formats a float as Java's Double.toString does for the
// values the reports print: always with a fraction ("0.0", "1.25").
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func orNA(s string) string {
	if s == "" {
		return "NA"
	}
	return s
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
