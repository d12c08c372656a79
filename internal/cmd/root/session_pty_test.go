package root_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// ptyCLI runs the real ssmctl (this test binary under the name ssmctl) in
// a pseudo-terminal against a sandbox.
type ptyCLI struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// selfAs links this test binary under name in a temporary directory.
func selfAs(t *testing.T, name string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, name)
	if err := os.Symlink(exe, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func sandboxEnv(t *testing.T, srv *sandbox.Server) []string {
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "TERM=xterm", "GORACE=atexit_sleep_ms=0"}
	isolate(func(k, v string) { env = append(env, k+"="+v) }, home)
	return append(env, srv.Env()...)
}

func startPTY(t *testing.T, srv *sandbox.Server, args ...string) *ptyCLI {
	t.Helper()
	return startPTYEnv(t, sandboxEnv(t, srv), args...)
}

// startPTYEnv runs ssmctl in a pseudo-terminal with the environment env.
func startPTYEnv(t *testing.T, env []string, args ...string) *ptyCLI {
	t.Helper()
	cmd := exec.Command(selfAs(t, "ssmctl"), args...)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	return watchPTY(t, cmd, ptmx)
}

// watchPTY collects the output of cmd, started on the terminal whose
// master is ptmx, until the terminal closes; the process is killed, if
// still running, when the test ends.
func watchPTY(t *testing.T, cmd *exec.Cmd, ptmx *os.File) *ptyCLI {
	c := &ptyCLI{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				close(c.done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		ptmx.Close()
	})
	return c
}

// expect waits until the output after from contains s, and returns the
// offset after it.
func (c *ptyCLI) expect(from int, s string) int {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		out := c.out.String()
		c.mu.Unlock()
		if i := strings.Index(out[from:], s); i >= 0 {
			return from + i + len(s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("no %q in the output:\n%q", s, c.out.String()[from:])
	return 0
}

func (c *ptyCLI) send(s string) {
	if _, err := c.ptmx.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *ptyCLI) wait() int {
	c.t.Helper()
	err := c.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return 0
}

func TestSessionInteractivePTY(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml")})
	c := startPTY(t, srv, "session", "web-1")
	at := c.expect(0, "Starting session with SessionId: ")
	at = c.expect(at, "# ")
	c.send("echo hel''lo\r")
	at = c.expect(at, "hello\r\n")
	c.send("stty size\r")
	at = c.expect(at, "30 100")
	// The remote terminal follows a resize (SIGWINCH).
	if err := pty.Setsize(c.ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		c.send("stty size\r")
		next := c.expect(at, "\n")
		c.mu.Lock()
		got := c.out.String()[at:]
		c.mu.Unlock()
		at = next
		if strings.Contains(got, "40 120") {
			break
		}
		if i > 50 {
			t.Fatalf("the remote terminal did not follow the resize: %q", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.send("exit\r")
	if code := c.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	<-c.done
	c.expect(at, "Exiting session with SessionId:")
}

func TestSessionEscapePTY(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml")})
	c := startPTY(t, srv, "session", "web-1")
	at := c.expect(0, "# ")
	// A hung remote command: ~. after Enter leaves anyway.
	c.send("sleep 600\r")
	at = c.expect(at, "sleep 600")
	c.send("\r~.")
	if code := c.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	<-c.done
	c.expect(at, "Left session")
}

// On a terminal, a target that matches several nodes asks which one; a bad
// answer asks again, and the session opens on the node chosen.
func TestSessionPickerPTY(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml")})
	c := startPTY(t, srv, "session", "web-*")
	at := c.expect(0, "2 nodes match:")
	at = c.expect(at, "[1-2] ")
	c.mu.Lock()
	listing := c.out.String()
	c.mu.Unlock()
	choice := ""
	for _, line := range strings.Split(listing, "\n") {
		if strings.Contains(line, "i-0aaaaaaaaaaaaaaa2") {
			choice = strings.TrimSpace(strings.SplitN(line, ")", 2)[0])
		}
	}
	if choice != "1" && choice != "2" {
		t.Fatalf("web-2 is not in the list:\n%s", listing)
	}
	c.send("3\r")
	at = c.expect(at, `"3" is not a number from 1 to 2`)
	c.send(choice + "\r")
	at = c.expect(at, "# ")
	// The node's working directory is named after it.
	c.send("pwd\r")
	at = c.expect(at, "/i-0aaaaaaaaaaaaaaa2")
	c.send("exit\r")
	if code := c.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	<-c.done
	c.expect(at, "Exiting session")
}
