package output

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, or skips where the system has none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// syncBuffer collects what the terminal shows.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The production path: stderr is a real terminal, and the briandowns spinner
// animates on it and clears its line when stopped.
func TestProgressAnimatesOnRealTerminal(t *testing.T) {
	t.Parallel()
	master, slave := openPTY(t)
	var shown syncBuffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			_, _ = shown.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()

	s, _, out, _ := Test()
	s.ErrOut = slave
	s.SetStderrTTY(isTerminal(slave))
	if !s.IsStderrTTY() {
		t.Fatal("the pty's slave side is not a terminal")
	}
	s.StartProgress("waiting for 3 nodes")
	if _, ok := s.progress.(*animatedProgress); !ok {
		t.Fatalf("progress on a terminal file is %T, want the briandowns spinner", s.progress)
	}
	waitFor(t, &shown, "waiting for 3 nodes")
	s.UpdateProgress("2/3 done, 1 failed")
	waitFor(t, &shown, "2/3 done, 1 failed")
	s.StopProgress()
	mark := len(shown.String())
	waitFor(t, &shown, eraseLine)
	// Nothing is drawn after the stop: the line stays clear.
	time.Sleep(3 * spinnerInterval)
	if tail := shown.String()[mark:]; strings.Contains(tail, "done") {
		t.Errorf("spinner drew after StopProgress: %q", tail)
	}
	if got := shown.String(); !strings.HasSuffix(got, eraseLine) {
		t.Errorf("terminal output ends %q, want the line cleared", got[max(0, len(got)-30):])
	}
	if sgr.MatchString(shown.String()) {
		t.Errorf("spinner wrote colour sequences: %q", shown.String())
	}
	if out.Len() != 0 {
		t.Errorf("spinner wrote on stdout: %q", out.String())
	}
}

func waitFor(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(b.String(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("terminal never showed %q; it shows %q", want, b.String())
}
