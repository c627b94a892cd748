package systems

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long a member gets to exit after SIGTERM before its
// process group is killed.
const stopGrace = 10 * time.Second

// process is one member: a child process leading its own process group,
// its output appended to a log file.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait has returned
	waitErr error         // set before exited is closed
}

// startProcess starts bin with args in dir, in a new process group, with
// stdout and stderr going to logPath. The child is sent SIGKILL if the
// benchmark's process dies first.
func startProcess(name, dir, logPath, bin string, args, env []string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("systems: %s: open log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("systems: %s: start %s: %w", name, filepath.Base(bin), err)
	}
	p := &process{name: name, logPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() { // owner: p; stops when the child exits
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// PID is the member's process ID (also its process group ID).
func (p *process) PID() int { return p.cmd.Process.Pid }

// running reports whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM to the process group, waits up to stopGrace, then
// sends SIGKILL to the group, and waits for the process to be reaped. It
// returns an error only if the member had already died on its own.
func (p *process) stop() error {
	if !p.running() {
		return p.exitError()
	}
	pgid := p.PID()
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
	// Anything left in the group (a member's own children) goes too.
	syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// exitError describes an exit that nobody asked for.
func (p *process) exitError() error {
	<-p.exited
	err := p.waitErr
	if err == nil {
		err = errors.New("exited with status 0")
	}
	return fmt.Errorf("systems: %s exited on its own (%v); log: %s", p.name, err, p.logPath)
}
