package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// session-prompt, session-prompt-unpaced and session-command: Session
// Manager sessions with ssmctl and with `aws ssm start-session` running
// the official session-manager-plugin, built from the Go module ssmctl
// embeds. Both need a terminal, so both run on a pseudo-terminal.
func init() {
	register(func(cfg config) scenario { return sessionPromptScenario(false) })
	register(func(cfg config) scenario { return sessionPromptScenario(true) })
	register(sessionCommandScenario)
}

// The session node, by name for ssmctl (as a user types it) and by ID for
// the AWS CLI (which takes only IDs).
const (
	sessionNodeID   = "i-0b0b0b0b0b0b0b0b1"
	sessionNodeName = "web-1"
	// sessionMarker is what the one-shot command prints.
	sessionMarker = "session-bench-ok"
	// sessionPluginModule is the official plugin's main package.
	sessionPluginModule = "github.com/aws/session-manager-plugin/src/sessionmanagerplugin-main"
)

// The target (issues show 4, Benchmark): ssmctl takes at most a
// third of the AWS CLI's time.
const sessionTargetRatio = 3.0

func sessionFleet() *sandbox.Fleet {
	node := func(id, name string) *sandbox.Node {
		return &sandbox.Node{
			ID: id, Name: name, Ping: "Online",
			Platform:     sandbox.Platform{Type: "Linux", Name: "Amazon Linux", Version: "2023"},
			AgentVersion: "3.3.1142.0",
			Tags:         map[string]string{"Role": "web"},
		}
	}
	return &sandbox.Fleet{Nodes: []*sandbox.Node{
		node(sessionNodeID, sessionNodeName),
		node("i-0b0b0b0b0b0b0b0b2", "web-2"),
		node("i-0b0b0b0b0b0b0b0b3", "db-1"),
	}}
}

// buildPlugin builds the official session-manager-plugin into the
// children's PATH (e.home/bin, first in it), so `aws ssm start-session`
// runs it and no other.
func buildPlugin(ctx context.Context, e *env) error {
	out := filepath.Join(e.home, "bin", "session-manager-plugin")
	// The go command that runs the harness (bench/run.sh honours $GO).
	b := exec.CommandContext(ctx, cmp.Or(os.Getenv("GO"), "go"), "build", "-trimpath", "-o", out, sessionPluginModule)
	if msg, err := b.CombinedOutput(); err != nil {
		return fmt.Errorf("building the official plugin: %w: %s", err, msg)
	}
	return nil
}

// treeMemory collects, per row, the sum of the VmHWM of the child and
// its descendants (the AWS CLI's Python and the plugin it starts), read
// while the session is open.
type treeMemory struct {
	mu  sync.Mutex
	kib map[string][]int64
}

func (m *treeMemory) add(label string, kib int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.kib == nil {
		m.kib = map[string][]int64{}
	}
	m.kib[label] = append(m.kib[label], kib)
}

func (m *treeMemory) peak(label string) (kib int64, procs int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Max(append([]int64{0}, m.kib[label]...)), len(m.kib[label])
}

func sessionPromptScenario(unpaced bool) scenario {
	mem := &treeMemory{}
	name, title := "session-prompt", "time to the first byte of the remote prompt of an interactive shell"
	notes := []string{
		"The time runs from the start of the child to the read on the pseudo-terminal that brings the first byte " +
			"of the remote shell's prompt (the first non-blank byte after the \"Starting session with SessionId\" line). " +
			"Then the harness types `exit` and waits for the child to exit 0. The sandbox's nodes wait 1 s before " +
			"the first read of a shell's terminal, as the SSM Agent does (protocol/session-manager.md §7), so 1 s of " +
			"every figure is the agent's and the same for both tools.",
	}
	opts := sandbox.Options{Fleet: sessionFleet(), Seed: 1}
	if unpaced {
		name = "session-prompt-unpaced"
		title += ", without the agent's 1 s start delay (--no-pacing)"
		opts.NoPacing = true
		notes = []string{"As session-prompt, on a sandbox started with `NoPacing`: no 1 s wait before the shell's " +
			"first read and no 1 ms pause after each output message, so the figures are the clients' own."}
	}
	return scenario{
		Name:    name,
		Title:   title,
		Sandbox: opts,
		Setup:   buildPlugin,
		Commands: []command{
			{
				Label: "ssmctl", Argv: []string{"ssmctl", "session", sessionNodeName},
				Drive: driveShell("ssmctl", mem), Result: sessionShellResult,
			},
			{
				Label: "aws CLI + session-manager-plugin", Argv: []string{"aws", "ssm", "start-session", "--target", sessionNodeID},
				Drive: driveShell("aws CLI + session-manager-plugin", mem), Result: sessionShellResult,
			},
		},
		Checks: func(rows []row) []string { return sessionChecks(rows, mem) },
		Notes:  notes,
	}
}

func sessionCommandScenario(cfg config) scenario {
	return scenario{
		Name:    "session-command",
		Title:   "a one-shot command through a session, to its exit",
		Sandbox: sandbox.Options{Fleet: sessionFleet(), Seed: 1},
		Setup:   buildPlugin,
		Commands: []command{
			{
				Label: "ssmctl", Argv: []string{"ssmctl", "session", sessionNodeName, "--", "echo", sessionMarker},
				Drive: driveCommand, Result: sessionCommandResult,
			},
			{
				Label: "aws CLI + session-manager-plugin",
				Argv: []string{"aws", "ssm", "start-session", "--target", sessionNodeID,
					"--document-name", "AWS-StartNonInteractiveCommand", "--parameters", `{"command":["echo ` + sessionMarker + `"]}`},
				Drive: driveCommand, Result: sessionCommandResult,
			},
		},
		Checks: func(rows []row) []string { return sessionChecks(rows, nil) },
		Notes: []string{
			"The time runs from the start of the child to its exit, on a pseudo-terminal. ssmctl sends " +
				"`command=sh -c 'echo " + sessionMarker + "'` with `separateOutputStream=true`, so that it gets stderr apart and the " +
				"exit code (docs/sessions.md); the AWS CLI row passes the command as a user would, and exits 0 whatever the " +
				"command's exit code. Both rows must print " + sessionMarker + ".",
		},
	}
}

// terminal is a child on a pseudo-terminal and what it printed.
type terminal struct {
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	// prompt, once set, is when the remote prompt's first byte was read.
	prompt     time.Time
	promptSeen chan struct{}
	eof        chan struct{}
}

func startTerminal(cmd *exec.Cmd) (*terminal, error) {
	// The pseudo-terminal is the child's stdin, stdout and stderr.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		return nil, err
	}
	t := &terminal{ptmx: ptmx, promptSeen: make(chan struct{}), eof: make(chan struct{})}
	go t.read()
	return t, nil
}

func (t *terminal) read() {
	defer close(t.eof)
	buf := make([]byte, 32<<10)
	for {
		n, err := t.ptmx.Read(buf)
		now := time.Now()
		if n > 0 {
			t.mu.Lock()
			t.out.Write(buf[:n])
			if t.prompt.IsZero() && remotePromptStarted(t.out.Bytes()) {
				t.prompt = now
				close(t.promptSeen)
			}
			t.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (t *terminal) output() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.out.Bytes())
}

// remotePromptStarted reports whether out holds the first byte of the
// remote prompt: a non-blank byte after the line "Starting session with
// SessionId: ..." that both tools print before anything from the node.
func remotePromptStarted(out []byte) bool { return promptByte(out) != 0 }

// promptByte is the first non-blank byte after the status line, or 0.
func promptByte(out []byte) byte {
	i := bytes.Index(out, []byte("Starting session with SessionId: "))
	if i < 0 {
		return 0
	}
	nl := bytes.IndexByte(out[i:], '\n')
	if nl < 0 {
		return 0
	}
	if rest := bytes.TrimLeft(out[i+nl:], " \r\n"); len(rest) > 0 {
		return rest[0]
	}
	return 0
}

// finish waits for the child to exit (killing it after a minute) and for
// the terminal to drain, and returns Wait's error.
func (t *terminal) finish(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		err = errors.New("did not exit within a minute; killed")
	}
	// The reader ends when the last holder of the terminal's other side
	// has gone; a grandchild that outlives the child is not waited for.
	select {
	case <-t.eof:
	case <-time.After(5 * time.Second):
	}
	t.ptmx.Close()
	return err
}

// driveShell runs an interactive session on a terminal: it marks the
// moment the remote prompt starts, reads the process tree's memory, types
// exit and waits for the child.
func driveShell(label string, mem *treeMemory) func(*exec.Cmd, *bytes.Buffer) (time.Time, error) {
	return func(cmd *exec.Cmd, out *bytes.Buffer) (time.Time, error) {
		t, err := startTerminal(cmd)
		if err != nil {
			return time.Time{}, err
		}
		defer func() { out.Write(t.output()) }()
		select {
		case <-t.promptSeen:
		case <-t.eof:
		case <-time.After(time.Minute):
		}
		t.mu.Lock()
		mark := t.prompt
		t.mu.Unlock()
		if mark.IsZero() {
			_ = cmd.Process.Kill()
			_ = t.finish(cmd)
			return time.Time{}, fmt.Errorf("no remote prompt; the terminal showed %q", tailBytes(t.output()))
		}
		if b := promptByte(t.output()); b != '#' && b != '$' {
			_ = cmd.Process.Kill()
			_ = t.finish(cmd)
			return time.Time{}, fmt.Errorf("the remote output starts with %q, not a prompt; the terminal showed %q", b, tailBytes(t.output()))
		}
		if kib, err := treeHWM(cmd.Process.Pid); err == nil {
			mem.add(label, kib)
		}
		if _, err := t.ptmx.Write([]byte("exit\r")); err != nil {
			_ = cmd.Process.Kill()
			_ = t.finish(cmd)
			return time.Time{}, err
		}
		return mark, t.finish(cmd)
	}
}

// driveCommand runs a one-shot session on a terminal to its exit.
func driveCommand(cmd *exec.Cmd, out *bytes.Buffer) (time.Time, error) {
	t, err := startTerminal(cmd)
	if err != nil {
		return time.Time{}, err
	}
	err = t.finish(cmd)
	out.Write(t.output())
	return time.Time{}, err
}

func tailBytes(b []byte) string {
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}

// sessionShellResult checks that the session ended as a session ends:
// both tools print an "Exiting session with SessionId" line.
func sessionShellResult(out []byte) ([]string, error) {
	if !bytes.Contains(bytes.ToLower(out), []byte("exiting session with sessionid")) {
		return nil, fmt.Errorf("the session did not end normally: %q", tailBytes(out))
	}
	return []string{"shell"}, nil
}

// sessionCommandResult checks that the command's output arrived.
func sessionCommandResult(out []byte) ([]string, error) {
	if !bytes.Contains(out, []byte(sessionMarker)) {
		return nil, fmt.Errorf("no %s in the output: %q", sessionMarker, tailBytes(out))
	}
	return []string{sessionMarker}, nil
}

// treeHWM sums the peak resident set (VmHWM) of pid and its descendants.
func treeHWM(pid int) (int64, error) {
	children := map[int][]int{}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		f := strings.Fields(string(rest))
		if len(f) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(f[1]); err == nil {
			children[ppid] = append(children[ppid], p)
		}
	}
	var total int64
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(status)) {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				total += kib
			}
		}
	}
	return total, nil
}

// sessionChecks prints the target against the medians, and the
// process trees' memory when it was read.
func sessionChecks(rows []row, mem *treeMemory) []string {
	if len(rows) < 2 {
		return nil
	}
	s, cli := rows[0].medianWall(), rows[1].medianWall()
	verdict := "**not met**"
	if float64(s)*sessionTargetRatio <= float64(cli) {
		verdict = "met"
	}
	out := []string{fmt.Sprintf("Target (issue 4): ssmctl takes at most a third of the AWS CLI's time: %s vs %s, %.2f× the time: %s.",
		fmtDuration(s), fmtDuration(cli), float64(s)/float64(max(cli, 1)), verdict)}
	if mem != nil {
		var parts []string
		for _, r := range rows {
			if kib, n := mem.peak(r.Cmd.Label); n > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", r.Cmd.Label, fmtMB(kib)))
			}
		}
		if len(parts) > 0 {
			out = append(out, "", "Memory of the whole process tree while the session is open (the sum of every process's VmHWM, "+
				"the largest of the runs; the AWS CLI's tree is Python and the plugin): "+strings.Join(parts, ", ")+".")
		}
	}
	return out
}
