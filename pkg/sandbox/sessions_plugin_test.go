package sandbox

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Conformance of the data channel with clients nobody here wrote: the AWS
// CLI's `aws ssm start-session` running the official session-manager-plugin,
// built from the Go module ssmctl depends on.

const pluginModulePackage = "github.com/aws/session-manager-plugin/src/sessionmanagerplugin-main"

var (
	pluginOnce sync.Once
	pluginDir  string
	pluginErr  error
)

// pluginPath builds the official plugin once per test binary into a
// temporary directory kept across runs (the Go build cache makes a rebuild
// cheap; the directory is keyed by the module version).
func pluginPath(t *testing.T) string {
	t.Helper()
	pluginOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/aws/session-manager-plugin").Output()
		if err != nil {
			pluginErr = err
			return
		}
		pluginDir = filepath.Join(os.TempDir(), "ssmctl-test-session-manager-plugin-"+strings.TrimSpace(string(out)))
		if err := os.MkdirAll(pluginDir, 0o700); err != nil {
			pluginErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "session-manager-plugin"), pluginModulePackage)
		if b, err := cmd.CombinedOutput(); err != nil {
			pluginErr = &buildError{err: err, out: string(b)}
		}
	})
	if pluginErr != nil {
		t.Fatalf("building the official session-manager-plugin: %v", pluginErr)
	}
	return pluginDir
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// needAWSCLI skips without the AWS CLI, except in CI.
func needAWSCLI(t *testing.T) string {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not on PATH, and CI=true")
		}
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	return aws
}

// terminal is a process running on a pseudo-terminal, with everything it
// printed so far.
type terminal struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan error
}

func (tm *terminal) output() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// waitFor waits until the output contains s. The deadline only stops a
// hung test; nothing is measured.
func (tm *terminal) waitFor(s string) {
	tm.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(tm.output(), s) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %q in the output:\n%s", s, tm.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *terminal) write(s string) {
	tm.t.Helper()
	if _, err := tm.pty.Write([]byte(s)); err != nil {
		tm.t.Fatalf("writing to the terminal: %v", err)
	}
}

// wait waits for the process to exit and returns its error.
func (tm *terminal) wait() error {
	select {
	case err := <-tm.done:
		return err
	case <-time.After(60 * time.Second):
		tm.t.Fatalf("the process did not exit; output:\n%s", tm.output())
		return nil
	}
}

// startSessionCLI runs `aws ssm start-session ARGS` against s on a
// terminal, with the official plugin on PATH.
func startSessionCLI(t *testing.T, s *Server, args ...string) *terminal {
	t.Helper()
	aws := needAWSCLI(t)
	dir := pluginPath(t)
	home := t.TempDir()
	empty := filepath.Join(home, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(aws, append([]string{"ssm", "start-session", "--endpoint-url", s.URL()}, args...)...)
	cmd.Env = append(s.Env(),
		"PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"AWS_CONFIG_FILE="+empty,
		"AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_PAGER=",
		"TERM=xterm",
	)
	if root := os.Getenv("PYENV_ROOT"); root != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+root)
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 120, Rows: 40})
	if err != nil {
		t.Fatalf("starting aws on a pty: %v", err)
	}
	tm := &terminal{t: t, pty: f, cmd: cmd, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { tm.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return tm
}

func TestOfficialPluginShell(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	tm := startSessionCLI(t, s, "--target", "i-0a1b2c3d4e5f60001", "--reason", "conformance")
	tm.waitFor("Starting session with SessionId: " + sessionCallerName + "-")
	tm.write("echo ready-$((6*7))\r")
	tm.waitFor("ready-42")
	tm.write("whoami\r")
	tm.waitFor("\n" + me.Username + "\r") // the local terminal adds its own \r
	tm.write("exit\r")
	tm.waitFor("Exiting session with sessionId:")
	if err := tm.wait(); err != nil {
		t.Fatalf("aws ssm start-session: %v\n%s", err, tm.output())
	}
	out := describe(t, s, "History")
	if len(out) != 1 || out[0].Status != sessionTerminated || out[0].Reason != "conformance" || out[0].DocumentName != preferencesDocument {
		t.Errorf("session history: %+v", out)
	}
}

func TestOfficialPluginNonInteractive(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	tm := startSessionCLI(t, s, "--target", "i-0a1b2c3d4e5f60001",
		"--document-name", "AWS-StartNonInteractiveCommand",
		"--parameters", `{"command":["sh -c 'echo to-stdout; echo to-stderr >&2; exit 42'"],"separateOutputStream":["true"]}`)
	tm.waitFor("Exiting session with sessionId:")
	if err := tm.wait(); err != nil {
		t.Fatalf("aws ssm start-session: %v\n%s", err, tm.output())
	}
	out := tm.output()
	for _, want := range []string{"to-stdout", "to-stderr", "EXIT_CODE: 42"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the output:\n%s", want, out)
		}
	}
}

// describe lists the sessions in state (Active or History).
func describe(t *testing.T, s *Server, state string) []sessionWire {
	t.Helper()
	out, err := s.describeSessions(&describeSessionsInput{State: &state})
	if err != nil {
		t.Fatalf("DescribeSessions: %v", err)
	}
	return out.Sessions
}
