package session

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// A session's failure names the session, never its token; an interrupted
// one exits 130; an error that has an exit code keeps it.
func TestStartedFailure(t *testing.T) {
	s := &Started{SessionID: "alice-0123456789abcdef0", Token: "sekrit-token"}
	err := s.Failure(context.Background(), errors.New("dial wss://x?token=sekrit-token: refused"))
	if exitcode.Code(err) != exitcode.Other || strings.Contains(err.Error(), "sekrit") ||
		err.Error() != "session alice-0123456789abcdef0: dial wss://x?token=<redacted>: refused" {
		t.Errorf("%d %q", exitcode.Code(err), err)
	}
	coded := exitcode.New(exitcode.AWS, "TargetNotConnected")
	if got := s.Failure(context.Background(), coded); got != coded {
		t.Errorf("coded error became %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Failure(ctx, errors.New("read: closed")); exitcode.Code(err) != exitcode.Interrupted ||
		err.Error() != "interrupted; session alice-0123456789abcdef0 terminated" {
		t.Errorf("%d %q", exitcode.Code(err), err)
	}
}

// A SIGWINCH reaches WatchResize's channel; after stop, none does.
func TestWatchResize(t *testing.T) {
	resized, stop := WatchResize()
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	select {
	case <-resized:
	case <-time.After(5 * time.Second):
		t.Fatal("no resize after a SIGWINCH")
	}
	stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGWINCH); err != nil { // ignored by default
		t.Fatal(err)
	}
	select {
	case <-resized:
		t.Error("a resize after stop")
	case <-time.After(100 * time.Millisecond):
	}
}
