//go:build unix

package root

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// outputGone tells a pipe or socket whose reader left from one still read,
// and from a file, which never loses its reader.
func TestOutputGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fd := int(w.Fd())
	if outputGone(fd) {
		t.Error("a pipe with its reader: gone")
	}
	r.Close()
	if !outputGone(fd) {
		t.Error("a pipe without its reader: not gone")
	}

	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if outputGone(int(f.Fd())) {
		t.Error("a file: gone")
	}

	ln, err := net.Listen("unix", t.TempDir()+"/s")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := c.(*net.UnixConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	if outputGone(int(cf.Fd())) {
		t.Error("a connected socket: gone")
	}
	s.Close()
	if !outputGone(int(cf.Fd())) {
		t.Error("a socket whose peer closed: not gone")
	}
}

// interruption words the failure of a command a signal stopped; errors
// with their own code, and failures without a signal, stay as they are.
func TestInterruption(t *testing.T) {
	plain := errors.New("DescribeInstanceInformation: context canceled")
	own := exitcode.New(exitcode.Other, "interrupted; still running: X")
	live := context.Background()
	byTerm, cancel := context.WithCancelCause(context.Background())
	cancel(&exitcode.Signal{Signal: syscall.SIGTERM})
	byPipe, cancel := context.WithCancelCause(context.Background())
	cancel(&exitcode.Signal{Signal: syscall.SIGPIPE})
	byCancel, cancelPlain := context.WithCancel(context.Background())
	cancelPlain()

	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		code int
		msg  string
	}{
		{"no error", byTerm, nil, 0, ""},
		{"no signal", live, plain, exitcode.Other, plain.Error()},
		{"SIGTERM", byTerm, plain, exitcode.Terminated, "interrupted by SIGTERM"},
		{"a plain cancel is SIGINT's", byCancel, plain, exitcode.Interrupted, "interrupted"},
		{"SIGPIPE is silent", byPipe, plain, exitcode.BrokenPipe, ""},
		{"the command's own words", byTerm, own, exitcode.Other, "interrupted; still running: X"},
		// An EPIPE while stdout and stderr are still read is some other
		// pipe's or socket's.
		{"EPIPE elsewhere", live, fmt.Errorf("write: %w", syscall.EPIPE), exitcode.Other, "write: broken pipe"},
	} {
		err := interruption(tc.ctx, tc.err)
		msg := ""
		if err != nil && !exitcode.IsSilent(err) {
			msg = exitcode.Message(err)
		}
		if exitcode.Code(err) != tc.code || msg != tc.msg {
			t.Errorf("%s: code %d, message %q; want %d, %q", tc.name, exitcode.Code(err), msg, tc.code, tc.msg)
		}
	}
}
