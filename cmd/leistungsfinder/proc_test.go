package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// child is this binary started as a separate process (see TestMain).
type child struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
	addr chan string // the listening address, once
	done chan struct{}
	err  error
}

// binary returns this binary as a command with args.
func binary(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), envRunAsMain+"=1")
	return cmd
}

// runChild runs the binary to the end and returns its exit code and
// combined output. A crash (signal, Go runtime fatal error) fails the test.
func runChild(t testing.TB, args ...string) (int, string) {
	t.Helper()
	cmd := binary(t, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %v: %v", args, err)
	}
	s := string(out)
	for _, crash := range []string{"panic:", "fatal error:", "SIGBUS", "SIGSEGV", "goroutine "} {
		if strings.Contains(s, crash) {
			t.Fatalf("%v crashed:\n%s", args, s)
		}
	}
	if cmd.ProcessState.ExitCode() < 0 {
		t.Fatalf("%v ended by %v:\n%s", args, cmd.ProcessState, s)
	}
	return cmd.ProcessState.ExitCode(), s
}

// startChild starts the binary (serve) and reads its JSON log for the
// listening address.
func startChild(t testing.TB, args ...string) *child {
	t.Helper()
	c := &child{cmd: binary(t, args...), addr: make(chan string, 1), done: make(chan struct{})}
	stderr, err := c.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, c.cmd.Start())
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			c.mu.Lock()
			c.logs.Write(line)
			c.logs.WriteByte('\n')
			c.mu.Unlock()
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if !sent && json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				c.addr <- rec.Addr
				sent = true
			}
		}
		io.Copy(io.Discard, stderr)
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// url waits until the child listens and returns its base URL; "" when it
// ended first or took longer than timeout.
func (c *child) url(timeout time.Duration) string {
	select {
	case a := <-c.addr:
		return a
	case <-c.done:
		return ""
	case <-time.After(timeout):
		return ""
	}
}

// kill sends SIGKILL and waits for the process to end.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

// wait waits for the process to end by itself.
func (c *child) wait(timeout time.Duration) bool {
	select {
	case <-c.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// waitOutput waits until the child's log contains s; false when the
// child ended first or timeout passed.
func (c *child) waitOutput(s string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(c.output(), s) {
		select {
		case <-c.done:
			return strings.Contains(c.output(), s)
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
	return true
}

func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}
