//go:build unix

package root_test

import (
	"errors"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// SIGHUP on an interactive session (the terminal closed, the ssh
// connection to a jump host dropped): ssmctl restores the terminal mode,
// terminates the session, whose shell is then gone, and exits 129.
func TestSessionHangupPTY(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), NoPacing: true})
	env := sandboxEnv(t, srv)

	// The signal, with the terminal still there: its mode comes back.
	t.Run("signal", func(t *testing.T) {
		c, tty, id, shell := startShell(t, env)
		if raw, err := term.GetState(int(tty.Fd())); err != nil || reflect.DeepEqual(raw, c.before) {
			t.Fatalf("the terminal is not raw during the session (%v)", err)
		}
		if err := c.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if code := c.wait(); code != exitcode.Hangup {
			t.Errorf("exit status %d, want %d", code, exitcode.Hangup)
		}
		after, err := term.GetState(int(tty.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, c.before) {
			t.Errorf("the terminal mode after SIGHUP differs from before the session:\n before %+v\n after  %+v", c.before, after)
		}
		c.expect(0, "ssmctl: interrupted by SIGHUP; session "+id+" terminated")
		checkEnded(t, env, id, shell)
	})

	// A real hangup: the terminal itself goes away.
	t.Run("hangup", func(t *testing.T) {
		c, tty, id, shell := startShell(t, env)
		// The terminal's master end closes once the read pending on it
		// (watchPTY's) returns: close it, then give that read something.
		c.ptmx.Close()
		if _, err := tty.Write([]byte("\r\n")); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		if code := c.wait(); code != exitcode.Hangup {
			t.Errorf("exit status %d, want %d", code, exitcode.Hangup)
		}
		checkEnded(t, env, id, shell)
	})
}

type hangupCLI struct {
	*ptyCLI
	before *term.State
}

var shellPIDRE = regexp.MustCompile(`pid=([0-9]+)`)

// startShell opens an interactive session on web-1 in a new terminal and
// returns it, the terminal's own end (kept open, so its mode can be read
// after ssmctl exits), the session's ID and its remote shell's process.
func startShell(t *testing.T, env []string) (*hangupCLI, *os.File, string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(selfAs(t, "ssmctl"), "session", "web-1")
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &hangupCLI{ptyCLI: watchPTY(t, cmd, ptmx), before: before}
	at := c.expect(0, "# ")
	c.send("echo pid=$$\r")
	at = c.expect(at, "\n")
	at = c.expect(at, "# ")
	c.mu.Lock()
	out := c.out.String()
	c.mu.Unlock()
	m := shellPIDRE.FindAllStringSubmatch(out[:at], -1)
	if len(m) == 0 {
		t.Fatalf("no shell pid in %q", out)
	}
	pid, _ := strconv.Atoi(m[len(m)-1][1])
	return c, tty, c.sessionID(), pid
}

// checkEnded: the session is Terminated in History and its shell has
// ended (the sandbox kills it as the session ends).
func checkEnded(t *testing.T, env []string, id string, shell int) {
	t.Helper()
	if st := historyStatus(t, env, id); st != "Terminated" {
		t.Errorf("session %s is %s in History, want Terminated", id, st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(shell, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(shell, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the session's shell (pid %d) is still there: %v", shell, err)
	}
}
