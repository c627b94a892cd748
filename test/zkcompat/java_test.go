package zkcompat

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jarDir holds Debian's Java packages. Each jar's manifest names the jars
// it needs (Curator: curator-client, guava, slf4j-api, zookeeper,
// zookeeper-jute; zookeeper: netty, jackson, commons-*, ...), so the class
// path lists only the top of the tree, plus slf4j-nop to silence logging.
const jarDir = "/usr/share/java"

var javaJars = []string{"curator-recipes.jar", "curator-x-discovery.jar", "zookeeper.jar", "slf4j-nop.jar"}

// compileJava compiles testdata's Java sources with javac into a
// directory of the test's and returns the class path to run them with. It
// skips t when the JDK or a jar is missing.
func compileJava(t *testing.T, sources ...string) string {
	t.Helper()
	for _, tool := range []string{"javac", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (%v); scripts/install-deps.sh installs a JDK", tool, err)
		}
	}
	cp := []string{t.TempDir()}
	for _, j := range javaJars {
		p := filepath.Join(jarDir, j)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("Debian's %s not installed (%v); scripts/install-deps.sh installs the Curator and ZooKeeper jars", j, err)
		}
		cp = append(cp, p)
	}
	classpath := strings.Join(cp, ":")
	var paths []string
	for _, s := range sources {
		paths = append(paths, filepath.Join("testdata", s))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, "javac", append([]string{"-d", cp[0], "-cp", classpath}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("javac %v: %v\n%s", sources, err, out)
	}
	t.Logf("javac %v took %v", sources, time.Since(start).Round(time.Millisecond))
	return classpath
}

// javaCommand prepares `java -cp classpath main args...`, killed (by PID)
// when ctx ends.
func javaCommand(ctx context.Context, classpath, main string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "java", append([]string{"-cp", classpath, main}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// javaREPL is a running testdata/ZkClient.java: one command line in, one
// reply line out.
type javaREPL struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan string // closed when the program's output ends
}

// startREPL starts ZkClient; it is stopped when t ends.
func startREPL(t *testing.T, classpath string) *javaREPL {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := javaCommand(ctx, classpath, "ZkClient")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start ZkClient: %v", err)
	}
	j := &javaREPL{cmd: cmd, stdin: stdin, replies: make(chan string, 16)}
	done := make(chan struct{})
	go func() { // owner: j; ends when the program's stdout closes
		defer close(done)
		defer close(j.replies)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			j.replies <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		stdin.Close() // ZkClient closes its session and exits at end of input
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("ZkClient did not exit at end of input; killing it")
			cancel()
		}
		if err := cmd.Wait(); err != nil && ctx.Err() == nil {
			t.Errorf("ZkClient: %v", err)
		}
		cancel()
	})
	return j
}

// do sends one command and returns the reply line.
func (j *javaREPL) do(t *testing.T, command string) string {
	t.Helper()
	if _, err := io.WriteString(j.stdin, command+"\n"); err != nil {
		t.Fatalf("ZkClient %q: %v", command, err)
	}
	select {
	case r, ok := <-j.replies:
		if !ok {
			t.Fatalf("ZkClient exited before answering %q", command)
		}
		return r
	case <-time.After(time.Minute):
		t.Fatalf("ZkClient did not answer %q within a minute", command)
		return ""
	}
}
