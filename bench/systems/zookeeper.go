package systems

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// ZooKeeper runs members of Debian's zookeeper package (3.8) the way its
// zkServer.sh start-foreground does: one JVM per member running
// QuorumPeerMain on a zoo.cfg, with the jars from /usr/share/java
// (zookeeper.jar's manifest names its dependencies). Logging goes through
// slf4j-simple to the member's log at INFO, Debian's default level.
//
// zoo.cfg keeps Debian's tickTime/initLimit/syncLimit and ZooKeeper's
// defaults (forceSync=yes, so the transaction log is fsynced before a write
// is acknowledged) and changes only what a loopback benchmark needs:
//   - clientPortAddress=127.0.0.1 and quorum/election ports on 127.0.0.1;
//   - maxClientCnxns=0: the default limit of 60 connections per client IP
//     would refuse the connect storm, whose clients all come from 127.0.0.1;
//   - admin.enableServer=false: the admin server would take port 8080;
//   - 4lw.commands.whitelist=srvr,mntr: to find the leader and version.
//
// Tests that need other settings (a shorter tickTime, TTL nodes) add them
// with Config and JVMFlags; the benchmark leaves both empty.
type ZooKeeper struct {
	Java   string // path to java; "java" on PATH when empty
	JarDir string // where the jars are; /usr/share/java when empty
	// Config is appended to every member's zoo.cfg; a line overrides an
	// earlier one of the same key (zoo.cfg is read as Java properties).
	Config []string
	// JVMFlags are added to every member's java command line, e.g. system
	// properties that zoo.cfg cannot set (-Dznode.container.checkIntervalMs).
	JVMFlags []string
}

var _ System = (*ZooKeeper)(nil)

func (z *ZooKeeper) Name() string { return "ZooKeeper" }

func (z *ZooKeeper) java() string {
	if z.Java == "" {
		return "java"
	}
	return z.Java
}

func (z *ZooKeeper) jarDir() string {
	if z.JarDir == "" {
		return "/usr/share/java"
	}
	return z.JarDir
}

// Installed reports why ZooKeeper cannot be started, or nil.
func (z *ZooKeeper) Installed() error {
	if _, err := exec.LookPath(z.java()); err != nil {
		return fmt.Errorf("systems: java not installed (run scripts/install-deps.sh): %w", err)
	}
	if _, err := os.Stat(filepath.Join(z.jarDir(), "zookeeper.jar")); err != nil {
		return fmt.Errorf("systems: zookeeper not installed (run scripts/install-deps.sh): %w", err)
	}
	return nil
}

// Version returns the Debian package version and the JVM's.
func (z *ZooKeeper) Version() string {
	v := "zookeeper" + debVersion("zookeeper")
	if out, err := exec.Command(z.java(), "-version").CombinedOutput(); err == nil {
		first, _, _ := strings.Cut(string(out), "\n")
		v += " on " + first
	}
	return v
}

// Start starts three members named zookeeper-1..3.
func (z *ZooKeeper) Start(ctx context.Context, dir string) (*Cluster, error) {
	if err := z.Installed(); err != nil {
		return nil, err
	}
	java, _ := exec.LookPath(z.java())
	ports, err := FreePorts(9)
	if err != nil {
		return nil, err
	}
	var quorum []string
	for i := range 3 {
		quorum = append(quorum, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", i+1, ports[3*i+1], ports[3*i+2]))
	}
	classpath := filepath.Join(z.jarDir(), "zookeeper.jar") + ":" + filepath.Join(z.jarDir(), "slf4j-simple.jar")
	var specs []memberSpec
	var servers []string
	for i := range 3 {
		name := fmt.Sprintf("zookeeper-%d", i+1)
		data := filepath.Join(dir, name)
		client := fmt.Sprintf("127.0.0.1:%d", ports[3*i])
		if err := os.MkdirAll(data, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(data, "myid"), fmt.Appendf(nil, "%d\n", i+1), 0o644); err != nil {
			return nil, err
		}
		cfgPath := filepath.Join(data, "zoo.cfg")
		if err := os.WriteFile(cfgPath, []byte(zooCfg(data, ports[3*i], slices.Concat(quorum, z.Config))), 0o644); err != nil {
			return nil, err
		}
		args := slices.Concat([]string{"-Dorg.slf4j.simpleLogger.showDateTime=true"}, z.JVMFlags, []string{
			"-cp", classpath,
			"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath,
		})
		specs = append(specs, memberSpec{name: name, bin: java, dataDir: data, clientAddr: client, args: args})
		servers = append(servers, client)
	}
	cl, err := startMembers(z.Name(), dir, specs)
	if err != nil {
		return nil, err
	}
	cl.ZKServers = servers
	return cl, cl.waitReady(ctx, func(ctx context.Context) error { return zkReady(ctx, servers) })
}

// zooCfg renders one member's zoo.cfg; lines (the quorum, then any extra
// settings) come last.
func zooCfg(dataDir string, clientPort int, lines []string) string {
	return fmt.Sprintf(`tickTime=2000
initLimit=10
syncLimit=5
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,mntr
%s
`, dataDir, clientPort, strings.Join(lines, "\n"))
}
