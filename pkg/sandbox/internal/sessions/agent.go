package sessions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// The node side of a session, as the SSM Agent's session plugins run it
// (protocol/session-manager.md §5, §7; amazon-ssm-agent agent/session/shell):
// Standard_Stream runs `sh` and InteractiveCommands `sh -c <commands>` in a
// PTY, as the user running the sandbox, in the node's working directory;
// NonInteractiveCommands executes its command (split as a shell would, no
// shell) without a PTY, and with separateOutputStream sends stdout as
// Output, stderr as StdErr and the exit code as "EXIT_CODE: <n>". Output
// is sent in messages of at most 1024 bytes (plus an incomplete UTF-8
// sequence carried over), 1 ms apart unless Config.NoPacing.

const (
	// handshakeTimeout is how long the agent waits for the client's
	// HandshakeResponse.
	handshakeTimeout = 15 * time.Second
	// shellStartDelay is the agent's wait before a PTY's first read.
	shellStartDelay = time.Second
	// pacingDelay is the agent's pause after each output message.
	pacingDelay = time.Millisecond
)

// sessionFailure ends a session as the agent reports a plugin failure.
func (ls *liveSession) fail(msg string) {
	ls.a.h.Log("sandbox: session %s: %s", ls.id, msg)
	ls.end(sessionFailed, nodes.OutputErrorTitle+msg, true)
}

func (ls *liveSession) pace() {
	if !ls.a.cfg.NoPacing {
		time.Sleep(pacingDelay)
	}
}

// run is the agent side of the session; it starts when the client's first
// WebSocket has presented a valid token.
func (ls *liveSession) run() {
	switch ls.sessionType {
	case documents.SessionTypeShell:
		ls.runPTY("")
	case documents.SessionTypeInteractive:
		cmd := ls.shellConfig().Commands
		if strings.TrimSpace(cmd) == "" {
			ls.fail("Commands cannot be empty for session type " + ls.sessionType)
			return
		}
		ls.runPTY(cmd)
	case documents.SessionTypeNonInteractive:
		ls.runNonInteractive()
	case documents.SessionTypePort:
		ls.runPort()
	default:
		ls.fail("Unsupported session type " + ls.sessionType)
	}
}

// shellConfig is the properties block for the node's platform.
type shellConfig struct {
	Commands              string `json:"commands"`
	RunAsElevated         bool   `json:"runAsElevated"`
	SeparateOutputStream  any    `json:"separateOutputStream"`
	StdOutSeparatorPrefix string `json:"stdOutSeparatorPrefix"`
	StdErrSeparatorPrefix string `json:"stdErrSeparatorPrefix"`
}

func (ls *liveSession) shellConfig() shellConfig {
	key := "linux"
	switch ls.platform {
	case "Windows":
		key = "windows"
	case "MacOS":
		key = "macos"
	}
	var cfg shellConfig
	if m, ok := ls.properties.(map[string]any); ok {
		b, _ := json.Marshal(m[key])
		json.Unmarshal(b, &cfg)
	}
	return cfg
}

// command builds the process for the node: its working directory and the
// agent's environment (TERM, LANG when unset).
func (ls *liveSession) command(argv ...string) (*exec.Cmd, error) {
	dir, err := ls.a.nodes.Dir(ls.nodeID)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if os.Getenv("LANG") == "" {
		cmd.Env = append(cmd.Env, "LANG=C.UTF-8")
	}
	return cmd, nil
}

// killGroup kills the process and everything it started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Process.Kill()
	}
}

// killOnEnd kills a started command's process group when the session ends
// (terminated, timed out, the sandbox closing). It is called after Start,
// so the process is known; a session that ended before then kills at once.
func (ls *liveSession) killOnEnd(cmd *exec.Cmd) {
	go func() {
		<-ls.ctx.Done()
		killGroup(cmd)
	}()
}

// runPTY runs a shell (commands "") or `sh -c commands` in a PTY.
func (ls *liveSession) runPTY(commands string) {
	argv := []string{"sh"}
	if commands != "" {
		argv = append(argv, "-c", commands)
	}
	cmd, err := ls.command(argv...)
	if err != nil {
		ls.fail(err.Error())
		return
	}
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 300, Rows: 100})
	if err != nil {
		ls.fail("Unable to start command: " + err.Error())
		return
	}
	var waitOnce sync.Once
	wait := func() { waitOnce.Do(func() { cmd.Wait() }) }
	go func() {
		<-ls.ctx.Done()
		killGroup(cmd)
		ptmx.Close()
	}()
	ls.dc.setHandler(func(m *protocol.AgentMessage) bool {
		switch m.PayloadType {
		case protocol.PayloadOutput:
			if _, err := ptmx.Write(m.Payload); err != nil {
				ls.a.h.Log("sandbox: session %s: writing to the PTY: %v", ls.id, err)
			}
		case protocol.PayloadSize:
			var size struct {
				Cols uint32 `json:"cols"`
				Rows uint32 `json:"rows"`
			}
			if json.Unmarshal(m.Payload, &size) == nil {
				pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(size.Cols), Rows: uint16(size.Rows)})
			}
		}
		return true // other payload types are acked and ignored
	})
	if !ls.a.cfg.NoPacing {
		select {
		case <-time.After(shellStartDelay):
		case <-ls.ctx.Done():
		}
	}
	ls.pump(ptmx, protocol.PayloadOutput, "")
	wait()
	ls.end(sessionTerminated, "", true)
}

// pump sends what r produces as stream messages of payloadType, at most
// 1024 bytes each (a trailing incomplete UTF-8 sequence waits for the next
// read), until r fails. prefix, when set, starts each chunk that follows a
// newline (the agent's stdout/stderr separator prefixes).
func (ls *liveSession) pump(r io.Reader, payloadType uint32, prefix string) {
	ls.pumpData(r, payloadType, prefix, true)
}

// pumpRaw sends bytes as they come: port data is not text, and a byte held
// back would stall the protocol it carries.
func (ls *liveSession) pumpRaw(r io.Reader) {
	ls.pumpData(r, protocol.PayloadOutput, "", false)
}

func (ls *liveSession) pumpData(r io.Reader, payloadType uint32, prefix string, text bool) {
	buf := make([]byte, streamPayloadSize-len(prefix))
	var carry []byte
	needPrefix := true
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := append(carry, buf[:n]...)
			if prefix != "" && needPrefix {
				chunk = append([]byte(prefix), chunk...)
			}
			needPrefix = buf[n-1] == '\n'
			if text {
				chunk, carry = splitUTF8(chunk)
			}
			if len(chunk) > 0 {
				if ls.dc.send(payloadType, chunk) != nil {
					return
				}
				ls.pace()
			}
		}
		if err != nil {
			if len(carry) > 0 {
				ls.dc.send(payloadType, carry)
			}
			return
		}
	}
}

// splitUTF8 holds back an incomplete UTF-8 sequence (at most 3 bytes) at
// the end of b; invalid bytes elsewhere pass through.
func splitUTF8(b []byte) (complete, rest []byte) {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			break // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i], append([]byte(nil), b[len(b)-i:]...)
			}
			break
		}
	}
	return b, nil
}

// handshake performs the agent's session-type handshake (§5). properties
// are sent as they are (nil for the shell plugins). It returns the
// client's version, or ok false after failing the session.
func (ls *liveSession) handshake(properties any) (clientVersion string, ok bool) {
	start := time.Now()
	responses := make(chan *protocol.AgentMessage, 1)
	ls.dc.setHandler(func(m *protocol.AgentMessage) bool {
		if m.PayloadType == protocol.PayloadHandshakeResponse {
			select {
			case responses <- m:
			default:
			}
		}
		// Until the handshake completes, other stream data is acked and
		// discarded, as the agent does.
		return true
	})
	req, _ := json.Marshal(protocol.HandshakeRequest{
		AgentVersion: ls.agentVersion,
		RequestedClientActions: []protocol.RequestedClientAction{{
			ActionType:       "SessionType",
			ActionParameters: protocol.SessionTypeRequest{SessionType: ls.sessionType, Properties: properties},
		}},
	})
	if ls.dc.send(protocol.PayloadHandshakeRequest, req) != nil {
		return "", false
	}
	var m *protocol.AgentMessage
	select {
	case m = <-responses:
	case <-ls.ctx.Done():
		return "", false
	case <-time.After(handshakeTimeout):
		ls.fail("Encountered error while initiating handshake. Handshake timed out. Please ensure that you have the latest version of the session manager plugin.")
		return "", false
	}
	var resp protocol.HandshakeResponse
	if err := json.Unmarshal(m.Payload, &resp); err != nil {
		ls.fail("Encountered error while initiating handshake. The handshake response is not valid JSON.")
		return "", false
	}
	for _, a := range resp.ProcessedClientActions {
		if a.ActionStatus != 1 {
			ls.fail(fmt.Sprintf("Encountered error while initiating handshake. %s failed on the client with status %d: %s", a.ActionType, a.ActionStatus, a.Error))
			return "", false
		}
	}
	// From now on input waits (unacked, so the client sends it again)
	// until the session's own handler is in place.
	ls.dc.setHandler(nil)
	// The response must be acked before HandshakeComplete goes out.
	for !ls.dc.inputConsumed(m.SequenceNumber) {
		select {
		case <-ls.ctx.Done():
			return "", false
		case <-time.After(time.Millisecond):
		}
	}
	ls.dc.flushAcks()
	done, _ := json.Marshal(protocol.HandshakeComplete{HandshakeTimeToComplete: time.Since(start), CustomerMessage: ""})
	if ls.dc.send(protocol.PayloadHandshakeComplete, done) != nil {
		return "", false
	}
	return resp.ClientVersion, true
}

// runNonInteractive runs NonInteractiveCommands: the command without a
// shell and without a PTY.
func (ls *liveSession) runNonInteractive() {
	cfg := ls.shellConfig()
	if strings.TrimSpace(cfg.Commands) == "" {
		ls.fail("Commands cannot be empty for session type " + ls.sessionType)
		return
	}
	separate, err := parseBoolProperty(cfg.SeparateOutputStream)
	if err != nil {
		ls.fail("Fail to get separateOutPutStream property: " + err.Error())
		return
	}
	if _, ok := ls.handshake(nil); !ok {
		return
	}
	// Input (keystrokes, sizes) has nowhere to go: acked and ignored.
	ls.dc.setHandler(func(*protocol.AgentMessage) bool { return true })

	argv, err := splitCommand(cfg.Commands)
	if err != nil || len(argv) == 0 {
		ls.sendStartError(separate, fmt.Sprintf("Failed to parse commands input: %v\n", err))
		return
	}
	if ls.platform == "Windows" {
		// The Windows agent hands the command to PowerShell, where a POSIX
		// shell is not a command; the sandbox has no PowerShell, so
		// anything else runs with /bin/sh as a stand-in
		// (docs/sandbox-sessions.md).
		if posixShells[filepath.Base(argv[0])] {
			ls.sendStartError(separate, notRecognized(argv[0]))
			return
		}
		argv = []string{"/bin/sh", "-c", cfg.Commands}
	}
	cmd, err := ls.command(argv...)
	if err != nil {
		ls.fail(err.Error())
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if separate {
		ls.runSeparate(cmd, cfg)
		return
	}
	// Combined output goes to a file and is sent once the command ends
	// (the agent's processCommandsWithExec).
	out, err := os.CreateTemp("", "ssmctl-sandbox-session-output-")
	if err != nil {
		ls.fail(err.Error())
		return
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		ls.sendStartError(false, fmt.Sprintf("Error occurred starting the command: %v\n", err))
		return
	}
	ls.killOnEnd(cmd)
	cmd.Wait()
	if ls.ctx.Err() != nil {
		return
	}
	if _, err := out.Seek(0, io.SeekStart); err == nil {
		ls.pump(out, protocol.PayloadOutput, "")
	}
	ls.end(sessionTerminated, "", true)
}

// runSeparate streams stdout and stderr apart, then the exit code.
func (ls *liveSession) runSeparate(cmd *exec.Cmd, cfg shellConfig) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		ls.fail(err.Error())
		return
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		ls.fail(err.Error())
		return
	}
	if err := cmd.Start(); err != nil {
		ls.sendStartError(true, fmt.Sprintf("Error occurred starting the command: %v\n", err))
		return
	}
	ls.killOnEnd(cmd)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ls.pump(stdout, protocol.PayloadOutput, cfg.StdOutSeparatorPrefix) }()
	go func() { defer wg.Done(); ls.pump(stderr, protocol.PayloadStdErr, cfg.StdErrSeparatorPrefix) }()
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else {
			code = 1
		}
	}
	if ls.ctx.Err() != nil {
		return
	}
	ls.dc.send(protocol.PayloadExitCode, []byte("EXIT_CODE: "+strconv.Itoa(code)))
	ls.end(sessionTerminated, "", true)
}

// posixShells are the shells a Windows node does not have.
var posixShells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true}

// notRecognized is PowerShell's error for a command it cannot find
// (CommandNotFoundException), as a Windows node answers "sh -c ...".
func notRecognized(name string) string {
	return fmt.Sprintf("%s : The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. "+
		"Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\n", name, name)
}

// sendStartError reports a command that could not start, as the agent
// does: the error on StdErr (and exit code 1 with separate streams).
func (ls *liveSession) sendStartError(separate bool, msg string) {
	ls.dc.send(protocol.PayloadStdErr, []byte(msg))
	if separate {
		ls.dc.send(protocol.PayloadExitCode, []byte("EXIT_CODE: 1"))
	}
	ls.end(sessionTerminated, "", true)
}

// parseBoolProperty reads separateOutputStream: a boolean or a string
// ("true"/"false"); absent or empty is false.
func parseBoolProperty(v any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return false, nil
		}
		return strconv.ParseBool(strings.TrimSpace(x))
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}

// splitCommand splits a command line into words as a POSIX shell would
// (the agent uses shlex): blanks separate words; single quotes keep
// everything; double quotes keep everything but backslash escapes of
// \ " $ `; a backslash outside quotes escapes the next character; a # at
// the start of a word starts a comment.
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur bytes.Buffer
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("EOF found after escape character")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("EOF found when expecting closing quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("EOF found when expecting closing quote")
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
