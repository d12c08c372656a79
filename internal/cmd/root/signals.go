package root

import (
	"context"
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
