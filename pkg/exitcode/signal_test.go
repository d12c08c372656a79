package exitcode

import (
	"context"
	"errors"
	"syscall"
	"testing"
)

func TestSignal(t *testing.T) {
	for _, tc := range []struct {
		sig   syscall.Signal
		code  int
		words string
		again string
	}{
		{syscall.SIGHUP, Hangup, "interrupted by SIGHUP", "a second signal stops waiting"},
		{syscall.SIGINT, Interrupted, "interrupted", "Ctrl-C again to stop waiting"},
		{syscall.SIGPIPE, BrokenPipe, "interrupted by SIGPIPE", "a second signal stops waiting"},
		{syscall.SIGTERM, Terminated, "interrupted by SIGTERM", "a second signal stops waiting"},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&Signal{Signal: tc.sig})
		s := SignalOf(ctx)
		if s.Code() != tc.code || s.Error() != tc.words || s.Again() != tc.again {
			t.Errorf("%v: code %d, %q, %q", tc.sig, s.Code(), s, s.Again())
		}
		err := Interruptedf(ctx, "session %s terminated", "s-1")
		if Code(err) != tc.code || Message(err) != tc.words+"; session s-1 terminated" {
			t.Errorf("%v: Interruptedf: %d %q", tc.sig, Code(err), Message(err))
		}
	}
	// A context cancelled without a signal, or not at all, is SIGINT's.
	ctx, cancel := context.WithCancel(context.Background())
	if s := SignalOf(ctx); s.Signal != syscall.SIGINT {
		t.Errorf("live context: %v", s)
	}
	cancel()
	if err := Interruptedf(ctx, "x"); Code(err) != Interrupted || Message(err) != "interrupted; x" {
		t.Errorf("plain cancel: %d %q", Code(err), Message(err))
	}
	// Wrapped causes are found too.
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancelCause(errors.Join(errors.New("other"), &Signal{Signal: syscall.SIGTERM}))
	if SignalOf(ctx).Code() != Terminated {
		t.Errorf("wrapped cause: %v", SignalOf(ctx))
	}
	if SignalName(syscall.Signal(10)) != "signal 10" {
		t.Errorf("SignalName(10) = %q", SignalName(syscall.Signal(10)))
	}
}
