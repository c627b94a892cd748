package zkcompat

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// zkCliPath is where Debian's zookeeper package installs zkCli.sh.
const zkCliPath = "/usr/share/zookeeper/bin/zkCli.sh"

// TestZkCli types testdata/zkcli.txt's commands into one zkCli.sh session
// on a fresh target and checks what it prints.
func TestZkCli(t *testing.T) {
	if _, err := os.Stat(zkCliPath); err != nil {
		t.Skipf("Debian's zkCli.sh not installed (%v); scripts/install-deps.sh installs the zookeeper package", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Skipf("java not installed (%v); scripts/install-deps.sh installs it", err)
	}
	steps := readTranscript(t, "testdata/zkcli.txt")
	tg := startTarget(t)

	var script strings.Builder
	for _, s := range steps {
		script.WriteString(s.command + "\n")
	}
	script.WriteString("quit\n")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, zkCliPath, "-server", strings.Join(tg.servers, ","))
	cmd.Stdin = strings.NewReader(script.String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out // one stream keeps replies and errors in order
	// zkCli.sh runs java as its child: stop the whole process group
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything the script left behind
	t.Logf("zkCli.sh (JVM start, connect, %d commands, quit) took %v", len(steps), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("zkCli.sh: %v\n%s", err, out.String())
	}
	compareTranscript(t, steps, normaliseCli(zkCliReplies(out.String())))
}

// step is one command of a transcript and the lines it must print.
type step struct {
	command string
	output  []string
}

// readTranscript reads a transcript file: "> " lines are commands, the
// lines up to the next command are its output, "#" lines are comments.
func readTranscript(t *testing.T, path string) []step {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []step
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "> "):
			steps = append(steps, step{command: strings.TrimPrefix(line, "> ")})
		case len(steps) == 0:
			t.Fatalf("%s: output %q before the first command", path, line)
		default:
			steps[len(steps)-1].output = append(steps[len(steps)-1].output, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// zkCliNoise matches what zkCli.sh prints besides replies: logging set-up,
// its banner, and the session's state changes, which its event thread prints
// whenever they happen.
var zkCliNoise = regexp.MustCompile(`^(SLF4J: .*|Connecting to .*|Welcome to ZooKeeper!|JLine support is .*|WATCHER::|WatchedEvent state:.*|)$`)

// zkCliReplies returns the lines of zkCli.sh's output that answer commands.
func zkCliReplies(out string) []string {
	var lines []string
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if !zkCliNoise.MatchString(line) {
			lines = append(lines, line)
		}
	}
	return lines
}

var (
	cliZxid  = regexp.MustCompile(`^([cmp]Zxid) = 0x([0-9a-f]+)$`)
	cliTime  = regexp.MustCompile(`^([cm]time) = (.*)$`)
	cliOwner = regexp.MustCompile(`^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$`)
)

// normaliseCli replaces zxids, dates and session IDs in zkCli's stat
// output with names (see testdata/zkcli.txt).
func normaliseCli(lines []string) []string {
	zxids := newLabels("Z")
	out := make([]string, len(lines))
	for i, line := range lines {
		if m := cliZxid.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseInt(m[2], 16, 64)
			line = m[1] + " = " + zxids.name(v)
		} else if m := cliTime.FindStringSubmatch(line); m != nil {
			// java.util.Date.toString()
			if tm, err := time.Parse("Mon Jan 02 15:04:05 MST 2006", m[2]); err == nil && recent(tm.UnixMilli()) {
				line = m[1] + " = TIME"
			}
		} else if cliOwner.MatchString(line) {
			line = "ephemeralOwner = SESSION"
		}
		out[i] = line
	}
	return out
}

// compareTranscript checks got against the steps' expected output and
// names the command whose output first differs.
func compareTranscript(t *testing.T, steps []step, got []string) {
	t.Helper()
	at := 0
	for _, s := range steps {
		for _, want := range s.output {
			if at >= len(got) {
				t.Fatalf("after %q: output ended, want %q", s.command, want)
			}
			if got[at] != want {
				t.Fatalf("after %q: got %q, want %q\noutput from there on:\n%s", s.command, got[at], want, strings.Join(got[at:], "\n"))
			}
			at++
		}
	}
	if at < len(got) {
		t.Fatalf("output goes on after the last command:\n%s", strings.Join(got[at:], "\n"))
	}
}
