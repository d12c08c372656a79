package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// This file is a session's lifecycle around the data channel: open (one
// node, a checked document, StartSession), run a handler (a one-shot
// command, an interactive shell with resizing and recording), and end.
// A session ssmctl started and could not use is terminated; every failure
// is worded without the token. Port forwarding, SSH and file copy build on
// Open and Failure the same way.

// Open starts a session for r on the one node it selects. A document the
// user named (checkDocument) is read and its parameters checked first;
// AWS's own command documents are known.
func (c *Client) Open(ctx context.Context, r Request, checkDocument bool) (*Started, error) {
	node, err := c.ResolveNode(ctx, r)
	if err != nil {
		return nil, err
	}
	if checkDocument {
		if err := c.CheckDocument(ctx, r.Document, r.Parameters); err != nil {
			return nil, err
		}
	}
	return c.StartOn(ctx, node, r)
}

// Failure words a session's failure for the user: a session a signal
// interrupted (terminated already) exits with the signal's code (130 for
// SIGINT, 129 SIGHUP, 141 SIGPIPE, 143 SIGTERM), an error with an exit
// code keeps it, anything else names the session and never the token.
func (s *Started) Failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return exitcode.Interruptedf(ctx, "session %s terminated", s.SessionID)
	}
	var e *exitcode.Error
	if errors.As(err, &e) {
		return err
	}
	return exitcode.New(exitcode.Other, "session %s: %s", s.SessionID, redactToken(err.Error(), s.Token))
}

func redactToken(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<redacted>")
}

// OneShot runs a started one-shot session (Command) and turns its end into
// the exit error: nil for exit 0, the remote exit code passed through
// silently, a session that ended without one exits 255. warn receives the
// agent's reason, when it gave one.
func (c *Client) OneShot(ctx context.Context, s *Started, conn Connection, stdout, stderr io.Writer, warn func(format string, args ...any)) error {
	res, err := c.Command(ctx, s, conn, stdout, stderr)
	if err != nil {
		return s.Failure(ctx, err)
	}
	if res.Reason != "" {
		warn("session %s: %s", s.SessionID, strings.TrimSpace(res.Reason))
	}
	if !res.HasExitCode {
		return exitcode.New(exitcode.Other, "session %s ended without an exit code from the node", s.SessionID)
	}
	switch code := res.ExitCode; {
	case code == 0:
		return nil
	case code > 0 && code < 256:
		return exitcode.Silent(code)
	default:
		return exitcode.New(exitcode.Other, "the command exited with %d, which is not an exit status here", code)
	}
}

// InteractiveOptions are a shell's terminal, recording and status lines.
// Resized and Record of ShellOptions are Interactive's to fill.
type InteractiveOptions struct {
	ShellOptions
	// Record is where the asciicast recording goes (nil: none), named
	// RecordName in messages; Interactive writes the header, commits it
	// (if Record has a Commit method: a file that replaces another once
	// the session has started, so a crash keeps what was recorded) and
	// closes it at the end. RecordInput records what is typed too.
	Record      io.WriteCloser
	RecordName  string
	RecordInput bool
	// Reason and Term go into the recording's header.
	Reason, Term string
	// Start is when the session started, the recording's timestamp.
	Start time.Time
	// Warn receives warnings (a recording that could not be closed).
	Warn func(format string, args ...any)
}

// Interactive runs a started interactive session: the remote terminal
// follows the local one's size (SIGWINCH), the session is recorded when
// o.Record is set (a recording whose header cannot be written terminates
// the session: exit 255), and the way it ended is said on o.Status.
func (c *Client) Interactive(ctx context.Context, s *Started, conn Connection, o InteractiveOptions) error {
	resized, stop := WatchResize()
	defer stop()
	so := o.ShellOptions
	so.Resized = resized
	if o.Record != nil {
		cols, rows := TerminalSize(so.OutFd, so.InFd)
		rec, err := NewRecording(o.Record, RecordingHeader{
			Width: cols, Height: rows,
			Title:     "ssmctl session " + NodeLabel(s.Node),
			Env:       map[string]string{"TERM": o.Term},
			SessionID: s.SessionID, Target: s.Node.ID, Reason: o.Reason,
		}, o.RecordInput, o.Start)
		if err == nil {
			if cm, ok := o.Record.(interface{ Commit() error }); ok {
				if err = cm.Commit(); err != nil {
					o.Record.Close()
				}
			}
		}
		if err != nil {
			_ = c.Terminate(context.WithoutCancel(ctx), s.SessionID)
			return exitcode.Wrap(exitcode.Other, fmt.Errorf("--record %s: %w", o.RecordName, err))
		}
		so.Record = rec
		defer func() {
			if err := rec.Close(); err != nil {
				o.Warn("recording %s: %v", o.RecordName, err)
			}
		}()
	}
	res, err := c.Shell(ctx, s, conn, so)
	if err != nil {
		return s.Failure(ctx, err)
	}
	switch {
	case res.Left:
		so.Status("\nLeft session %s; it is terminated.", s.SessionID)
	case res.Reason != "":
		so.Status("\nSession %s ended: %s", s.SessionID, strings.TrimSpace(res.Reason))
	default:
		so.Status("\nExiting session with SessionId: %s.", s.SessionID)
	}
	return nil
}

// WatchResize delivers a value on resized each time the terminal changes
// size (SIGWINCH), never blocking on a slow reader, until stop.
func WatchResize() (resized <-chan struct{}, stop func()) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	out := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				select {
				case out <- struct{}{}:
				default:
				}
			case <-done:
				return
			}
		}
	}()
	return out, func() {
		signal.Stop(winch)
		close(done)
	}
}
