package exitcode

import (
	"context"
	"errors"
	"fmt"
	"syscall"
)

// The codes of the signals ssmctl handles, 128 + the signal's number as a
// shell reports a process killed by it (Interrupted, 130, is SIGINT's):
// ssmctl first cancels the commands and terminates the sessions it
// started and restores the terminal, then exits with them.
const (
	// Hangup: SIGHUP, the terminal or the connection to it closed.
	Hangup = 129
	// BrokenPipe: SIGPIPE, whoever read ssmctl's output went away
	// (`ssmctl ... | head -1`).
	BrokenPipe = 141
	// Terminated: SIGTERM.
	Terminated = 143
)

// Signal is the cause (context.Cause) of a context cancelled by a signal:
// the one that says which code to exit with and how to word it.
type Signal struct {
	Signal syscall.Signal
}

// Error words the interruption: "interrupted" for SIGINT (Ctrl-C), else
// "interrupted by SIGTERM", "interrupted by SIGHUP", ...
func (s *Signal) Error() string {
	if s.Signal == syscall.SIGINT {
		return "interrupted"
	}
	return "interrupted by " + SignalName(s.Signal)
}

// Code is the exit code: 128 + the signal's number.
func (s *Signal) Code() int { return 128 + int(s.Signal) }

// Again says how to stop waiting for the cancellation an interruption
// started: Ctrl-C for SIGINT; after any other signal there may be no
// terminal to type it on.
func (s *Signal) Again() string {
	if s.Signal == syscall.SIGINT {
		return "Ctrl-C again to stop waiting"
	}
	return "a second signal stops waiting"
}

// SignalName is a signal's conventional name: SIGHUP, SIGINT, SIGPIPE,
// SIGTERM, or "signal N".
func SignalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// SignalOf is the signal that cancelled ctx. A context cancelled another
// way (a test, a caller's cancel), or not at all, counts as SIGINT, the
// interruption ssmctl always had.
func SignalOf(ctx context.Context) *Signal {
	var s *Signal
	if errors.As(context.Cause(ctx), &s) {
		return s
	}
	return &Signal{Signal: syscall.SIGINT}
}

// Interruptedf is the error of work a signal stopped: it exits with the
// code of the signal that cancelled ctx (130 when none says otherwise)
// and reads "interrupted[ by SIGX]; " and the detail.
func Interruptedf(ctx context.Context, format string, args ...any) error {
	s := SignalOf(ctx)
	return &Error{Code: s.Code(), Err: fmt.Errorf("%s; %s", s, fmt.Sprintf(format, args...))}
}
