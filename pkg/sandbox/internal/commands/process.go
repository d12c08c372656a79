package commands

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Running a script in its own process group with captured, capped output.

// processResult is how one run of a script ended.
type processResult struct {
	code           int
	stdout, stderr string
	timedOut       bool
	cancelled      bool
	startErr       error
}

// capped keeps the first maxCapturedOutput bytes written to it.
type capped struct {
	mu  sync.Mutex
	buf []byte
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := maxCapturedOutput - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// forkLock keeps script files from being open for writing while a process
// is between fork and exec: a child that inherited the descriptor would
// make exec of the script fail with ETXTBSY ("text file busy", Go issue
// 22315). Writers take it exclusively, starters shared.
var forkLock sync.RWMutex

func writeScript(path string, b []byte) error {
	forkLock.Lock()
	defer forkLock.Unlock()
	return os.WriteFile(path, b, 0o700)
}

// runProcess runs argv in dir in a process group of its own and kills the
// whole group (SIGKILL) on timeout or when ctx ends, as the agent does
// (executers: Setpgid, syscall.Kill(-pid, SIGKILL)).
func runProcess(ctx context.Context, dir string, argv, env []string, timeout time.Duration) processResult {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A process that escaped the group may hold the pipes open: stop
	// waiting for them soon after the group is gone.
	cmd.WaitDelay = time.Second
	forkLock.RLock()
	err := cmd.Start()
	forkLock.RUnlock()
	if err != nil {
		return processResult{code: 1, startErr: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res processResult
	select {
	case err = <-done:
	case <-timer.C:
		res.timedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	case <-ctx.Done():
		res.cancelled = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	// The group is killed even when the shell exited by itself, so no
	// background child outlives its step.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res.stdout, res.stderr = stdout.String(), stderr.String()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
		if res.code < 0 { // killed by a signal
			res.code = 128 + int(exitErr.Sys().(syscall.WaitStatus).Signal())
		}
	case errors.Is(err, exec.ErrWaitDelay):
	default:
		res.code = 1
	}
	return res
}
