package output

import (
	"bytes"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// echoProbe is ErrOut for ReadSecret at a terminal: when the prompt is
// written it records whether the terminal still echoes, then types the
// value, as a user who types (or pastes) the moment the prompt shows.
type echoProbe struct {
	bytes.Buffer
	tty         int
	typed       func()
	echoAtWrite []bool
}

func (p *echoProbe) Write(b []byte) (int, error) {
	if t, err := unix.IoctlGetTermios(p.tty, unix.TCGETS); err == nil {
		p.echoAtWrite = append(p.echoAtWrite, t.Lflag&unix.ECHO != 0)
	}
	if p.typed != nil {
		p.typed()
		p.typed = nil
	}
	return p.Buffer.Write(b)
}

// The terminal's echo is off before the prompt is written and back on
// after: what is typed as soon as the prompt shows is never echoed.
func TestReadSecretEchoOffBeforePrompt(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	probe := &echoProbe{tty: int(tty.Fd())}
	probe.typed = func() { ptmx.Write([]byte("hunter2\n")) }
	s := &Streams{In: tty, ErrOut: probe}
	got, err := s.ReadSecret("Value: ")
	if err != nil || got != "hunter2" {
		t.Fatalf("ReadSecret = %q, %v", got, err)
	}
	if len(probe.echoAtWrite) == 0 || probe.echoAtWrite[0] {
		t.Errorf("echo at the prompt: %v, want off", probe.echoAtWrite)
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || after.Lflag&unix.ECHO == 0 {
		t.Errorf("echo not restored after reading (%v)", err)
	}
}
