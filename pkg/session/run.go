package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/session-manager-plugin/src/message"
	"golang.org/x/term"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Connection is what the data channel needs besides the StartSession
// answer: where it is and how to sign the WebSocket upgrade.
type Connection struct {
	Region      string
	Credentials aws.CredentialsProvider
	// Debug, when set, receives the plugin code's warnings and errors
	// (tokens redacted).
	Debug io.Writer
}

// tokens holds a session's tokens for redaction.
type tokens struct {
	mu  sync.Mutex
	all []string
}

func (t *tokens) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.all = append(t.all, s)
}

func (t *tokens) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.all...)
}

// open opens the data channel of a started session and, if that fails,
// terminates the session so none is left open.
func (c *Client) open(ctx context.Context, s *Started, conn Connection, onPayload func(Payload), onNotice func(string)) (*Channel, error) {
	return c.openWith(ctx, s, conn, func(o *ChannelOptions) {
		o.OnPayload, o.OnNotice = onPayload, onNotice
	})
}

// openWith is open with the channel's handlers and mode set by set.
func (c *Client) openWith(ctx context.Context, s *Started, conn Connection, set func(*ChannelOptions)) (*Channel, error) {
	toks := &tokens{}
	toks.add(s.Token)
	o := ChannelOptions{
		SessionID: s.SessionID,
		StreamURL: s.StreamURL,
		Token:     s.Token,
		TargetID:  s.Node.ID,
		Region:    conn.Region,
		Resume: func(ctx context.Context) (string, error) {
			out, err := c.API.ResumeSession(ctx, &ssm.ResumeSessionInput{SessionId: aws.String(s.SessionID)})
			if err != nil {
				return "", err
			}
			t := aws.ToString(out.TokenValue)
			if t != "" {
				toks.add(t)
			}
			return t, nil
		},
	}
	if conn.Debug != nil {
		o.Log = &DebugLog{W: conn.Debug, Secrets: toks.list}
	}
	set(&o)
	if conn.Credentials != nil {
		if creds, err := conn.Credentials.Retrieve(ctx); err == nil {
			o.Credentials = creds
		}
	}
	ch, err := OpenChannel(ctx, o)
	if err != nil {
		c.terminate(ctx, s.SessionID)
		return nil, err
	}
	return ch, nil
}

// finish terminates a session at the end of Shell or Command unless the
// service has already ended it (channel_closed), as the official plugin
// does: MGS sends channel_closed once the session is over, so a
// TerminateSession then would only cost a round trip.
func (c *Client) finish(ctx context.Context, ch *Channel, id string) {
	if !ch.ClosedByService() {
		c.terminate(ctx, id)
	}
}

// terminate ends a session whatever ctx's state, briefly.
func (c *Client) terminate(ctx context.Context, id string) error {
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return c.Terminate(tctx, id)
}

// ShellOptions is the local side of an interactive session.
type ShellOptions struct {
	In  io.Reader
	Out io.Writer
	// InFd and OutFd are the descriptors of In and Out when they are
	// terminals, else -1. A terminal In is put in raw mode (restored on
	// every way out) and enables the "~." escape; a terminal Out gives
	// the remote terminal its size.
	InFd, OutFd int
	// Resized receives a value when the local terminal changes size
	// (SIGWINCH).
	Resized <-chan struct{}
	// Record, when set, receives the session as asciicast events.
	Record *Recording
	// Status prints a status line (stderr); it is not called while the
	// terminal is raw.
	Status func(format string, args ...any)
	Now    func() time.Time
}

// ShellResult says how an interactive session ended.
type ShellResult struct {
	// Left is true when the user typed "~.".
	Left bool
	// Reason is channel_closed's text when the service ended the session
	// with one (idle timeout, an agent error).
	Reason string
}

// defaultSize is what the remote terminal gets when the local output is
// not a terminal, as the plugin does.
const defaultCols, defaultRows = 300, 100

// TerminalSize is the size a session's remote terminal gets.
func TerminalSize(outFd, inFd int) (cols, rows int) {
	for _, fd := range []int{outFd, inFd} {
		if fd >= 0 {
			if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
				return w, h
			}
		}
	}
	return defaultCols, defaultRows
}

// Shell runs an interactive session on a started session and terminates it
// at the end.
func (c *Client) Shell(ctx context.Context, s *Started, conn Connection, o ShellOptions) (res ShellResult, err error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	status := o.Status
	if status == nil {
		status = func(string, ...any) {}
	}
	ch, err := c.open(ctx, s, conn, func(p Payload) {
		// Every payload of a shell is terminal output.
		if o.Record != nil {
			o.Record.Output(now(), p.Data)
		}
		_, _ = o.Out.Write(p.Data)
	}, func(msg string) { status("%s", msg) })
	if err != nil {
		return res, err
	}
	defer ch.Close()
	defer c.finish(ctx, ch, s.SessionID)

	interactive := o.InFd >= 0 && term.IsTerminal(o.InFd)
	if interactive {
		old, err := term.MakeRaw(o.InFd)
		if err != nil {
			return res, fmt.Errorf("cannot put the terminal in raw mode: %w", err)
		}
		defer term.Restore(o.InFd, old)
	}

	cols, rows := TerminalSize(o.OutFd, o.InFd)
	if err := ch.Resize(cols, rows); err != nil {
		return res, err
	}

	leave := make(chan struct{})
	go c.pumpInput(ch, o, interactive, now, leave)

	for {
		select {
		case <-ch.Done():
			if err := ch.Err(); err != nil {
				return res, err
			}
			res.Reason = ch.Reason()
			if strings.Contains(res.Reason, agentErrorTitle) {
				return res, exitcode.New(exitcode.Other, "session %s failed on the node: %s", s.SessionID, agentError(res.Reason))
			}
			return res, nil
		case <-leave:
			res.Left = true
			return res, nil
		case <-o.Resized:
			nc, nr := TerminalSize(o.OutFd, o.InFd)
			if nc != cols || nr != rows {
				cols, rows = nc, nr
				if o.Record != nil {
					o.Record.Resize(now(), cols, rows)
				}
				_ = ch.Resize(cols, rows)
			}
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
}

// pumpInput sends the keyboard (or piped stdin) to the node. On a
// terminal it watches for "~."; when a pipe ends it sends Ctrl-D, which
// the remote terminal turns into end-of-file, since the protocol has no
// end-of-input message.
func (c *Client) pumpInput(ch *Channel, o ShellOptions, interactive bool, now func() time.Time, leave chan<- struct{}) {
	esc := newEscaper()
	buf := make([]byte, 1024)
	for {
		n, err := o.In.Read(buf)
		if n > 0 {
			data := buf[:n]
			left := false
			if interactive {
				data, left = esc.feed(data)
			}
			if len(data) > 0 {
				o.Record.Input(now(), data)
				if ch.Send(message.Output, data) != nil {
					return
				}
			}
			if left {
				close(leave)
				return
			}
		}
		if err != nil {
			if !interactive {
				_ = ch.Send(message.Output, []byte{4})
			}
			return
		}
	}
}

// CommandResult is how a one-shot command ended.
type CommandResult struct {
	// ExitCode is the remote exit code; HasExitCode is false when the
	// agent sent none.
	ExitCode    int
	HasExitCode bool
	Reason      string
}

// Command runs a one-shot session (AWS-StartNonInteractiveCommand): the
// node's stdout and stderr are copied to stdout and stderr as they arrive,
// and the agent's ExitCode payload is returned. The session is terminated
// at the end.
func (c *Client) Command(ctx context.Context, s *Started, conn Connection, stdout, stderr io.Writer) (res CommandResult, err error) {
	var (
		mu      sync.Mutex
		code    int
		hasCode bool
	)
	ch, err := c.open(ctx, s, conn, func(p Payload) {
		switch p.Type {
		case message.StdErr:
			_, _ = stderr.Write(p.Data)
		case message.ExitCode:
			if n, ok := parseExitCode(p.Data); ok {
				mu.Lock()
				code, hasCode = n, true
				mu.Unlock()
			}
		default:
			_, _ = stdout.Write(p.Data)
		}
	}, func(msg string) { fmt.Fprintln(stderr, msg) })
	if err != nil {
		return res, err
	}
	defer ch.Close()
	defer c.finish(ctx, ch, s.SessionID)
	select {
	case <-ch.Done():
	case <-ctx.Done():
		return res, ctx.Err()
	}
	mu.Lock()
	res.ExitCode, res.HasExitCode = code, hasCode
	mu.Unlock()
	if err := ch.Err(); err != nil {
		return res, err
	}
	res.Reason = ch.Reason()
	return res, nil
}

// parseExitCode reads the agent's "EXIT_CODE: n".
func parseExitCode(b []byte) (int, bool) {
	s := strings.TrimSpace(string(b))
	s, ok := strings.CutPrefix(s, "EXIT_CODE:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

// ErrNoExitCode is a one-shot session that ended without the agent's
// ExitCode payload.
var ErrNoExitCode = errors.New("the session ended without an exit code from the node")
