package root

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// signalContext is the context a command line runs with: the first of
// SIGINT, SIGTERM and SIGHUP cancels it, and so does SIGPIPE when stdout
// or stderr lost its reader, each with an *exitcode.Signal cause, so
// what the command started is cancelled or terminated, the terminal
// restored and the exit code is 128 + the signal's number
// (docs/exit-codes.md).
//
// The signals stay caught until stop, so a second one (a second SIGHUP as
// a terminal closes, SIGPIPE from each write to a closed pipe) cannot kill
// ssmctl while it cleans up. Go ignores SIGPIPE from a write to a socket,
// and kills the process on one to stdout or stderr; caught, every SIGPIPE
// arrives here, so one counts only when stdout or stderr is a pipe or
// socket whose reader is gone (outputGone).
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				sig, ok := s.(syscall.Signal)
				if !ok || sig == syscall.SIGPIPE && !outputGone(1, 2) {
					continue
				}
				cancel(&exitcode.Signal{Signal: sig})
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(context.Canceled)
	}
}

// interruption is the error a command line ends with when a signal
// stopped it: whatever the command was doing failed because of it, and
// the signal says the code and the word. A command that had something to
// cancel or terminate (run, session) says what it did itself. When the
// reader of the output went away (SIGPIPE, or the EPIPE of a write that
// came before the signal), the exit is 141 and silent, as a program killed
// by SIGPIPE is: nobody asked for that output any more.
func interruption(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var e *exitcode.Error
	handled := errors.As(err, &e)
	if brokenPipe(err) && (!handled || e.Code == exitcode.Other) {
		return exitcode.Silent(exitcode.BrokenPipe)
	}
	if ctx.Err() == nil || handled {
		return err
	}
	sig := exitcode.SignalOf(ctx)
	if sig.Signal == syscall.SIGPIPE {
		return exitcode.Silent(sig.Code())
	}
	return exitcode.Wrap(sig.Code(), sig)
}

// brokenPipe says whether err is a write to stdout or stderr whose reader
// has gone (EPIPE), not to some other pipe or socket.
func brokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) && outputGone(1, 2)
}
