package output

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestTestStreamsAreNotTerminals(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	if s.IsStdinTTY() || s.IsStdoutTTY() || s.IsStderrTTY() || s.CanPrompt() || s.ColorEnabled() {
		t.Errorf("Test() streams claim a terminal: stdin %v stdout %v stderr %v prompt %v colour %v",
			s.IsStdinTTY(), s.IsStdoutTTY(), s.IsStderrTTY(), s.CanPrompt(), s.ColorEnabled())
	}
	s.SetStdinTTY(true)
	s.SetStdoutTTY(true)
	s.SetStderrTTY(true)
	if !s.IsStdinTTY() || !s.IsStdoutTTY() || !s.IsStderrTTY() {
		t.Error("Set*TTY(true) did not stick")
	}
}

func TestColorEnabled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tty     bool
		noColor bool
		env     []string
		want    bool
	}{
		{"terminal", true, false, nil, true},
		{"terminal with TERM", true, false, []string{"TERM", "xterm-256color"}, true},
		{"pipe", false, false, nil, false},
		{"--no-color", true, true, nil, false},
		{"NO_COLOR=1", true, false, []string{"NO_COLOR", "1"}, false},
		{"NO_COLOR=0 (any value)", true, false, []string{"NO_COLOR", "0"}, false},
		{"NO_COLOR=false (any value)", true, false, []string{"NO_COLOR", "false"}, false},
		{"NO_COLOR empty is ignored", true, false, []string{"NO_COLOR", ""}, true},
		{"TERM=dumb", true, false, []string{"TERM", "dumb"}, false},
		{"pipe and NO_COLOR", false, false, []string{"NO_COLOR", "1"}, false},
	}
	for _, tt := range tests {
		s, _, _, _ := Test()
		s.lookupEnv = env(tt.env...)
		s.SetStdoutTTY(tt.tty)
		s.SetNoColor(tt.noColor)
		if got := s.ColorEnabled(); got != tt.want {
			t.Errorf("%s: ColorEnabled() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The real environment is read when no fake is set; t.Setenv rules out
// t.Parallel here.
func TestColorEnabledReadsEnvironment(t *testing.T) {
	s, _, _, _ := Test()
	s.SetStdoutTTY(true)
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	if !s.ColorEnabled() {
		t.Error("colour off with NO_COLOR empty and TERM=xterm")
	}
	t.Setenv("NO_COLOR", "1")
	if s.ColorEnabled() {
		t.Error("colour on with NO_COLOR=1 in the environment")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "dumb")
	if s.ColorEnabled() {
		t.Error("colour on with TERM=dumb in the environment")
	}

	// And a table printed on such streams carries no escape sequences.
	s, _, out, _ := Test()
	s.SetStdoutTTY(true)
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "yes")
	p, err := NewPrinter(s, TableFormat, "")
	if err != nil {
		t.Fatal(err)
	}
	nodes := testNodes()
	if err := p.Print(nodes, nodeTable(nodes)); err != nil {
		t.Fatal(err)
	}
	if out.Len() == 0 || strings.Contains(out.String(), "\x1b") {
		t.Errorf("table under NO_COLOR: %q", out.String())
	}
}

func TestCanPrompt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stdin, stdout, stderr, never, want bool
	}{
		{true, true, true, false, true},
		{true, false, true, false, true}, // stdout redirected: prompts still go to stderr
		{false, true, true, false, false},
		{true, true, false, false, false},
		{true, true, true, true, false},
	}
	for _, tt := range tests {
		s, _, _, _ := Test()
		s.SetStdinTTY(tt.stdin)
		s.SetStdoutTTY(tt.stdout)
		s.SetStderrTTY(tt.stderr)
		s.SetNeverPrompt(tt.never)
		if got := s.CanPrompt(); got != tt.want {
			t.Errorf("stdin %v stdout %v stderr %v never %v: CanPrompt() = %v, want %v",
				tt.stdin, tt.stdout, tt.stderr, tt.never, got, tt.want)
		}
	}
}

func TestTerminalWidth(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	if w := s.TerminalWidth(); w != 80 {
		t.Errorf("pipe: width %d, want 80", w)
	}
	s.SetStdoutTTY(true) // a buffer cannot be measured
	if w := s.TerminalWidth(); w != 80 {
		t.Errorf("unmeasurable terminal: width %d, want 80", w)
	}
	s.SetTerminalWidth(132)
	if w := s.TerminalWidth(); w != 132 {
		t.Errorf("set width: %d, want 132", w)
	}
	s.SetTerminalWidth(0)
	if w := s.TerminalWidth(); w != 80 {
		t.Errorf("width reset: %d, want 80", w)
	}
	s.lookupEnv = env("COLUMNS", "100")
	if w := s.TerminalWidth(); w != 100 {
		t.Errorf("COLUMNS=100: width %d, want 100", w)
	}
	s.SetStdoutTTY(false)
	if !s.FitTables() {
		t.Errorf("COLUMNS=100 in a pipe: FitTables() = false")
	}
	s.lookupEnv = env()
	if s.FitTables() {
		t.Errorf("a pipe without COLUMNS: FitTables() = true")
	}
}

func TestWarnfInfof(t *testing.T) {
	t.Parallel()
	for _, quiet := range []bool{false, true} {
		s, _, out, errOut := Test()
		s.SetQuiet(quiet)
		if s.Quiet() != quiet {
			t.Fatalf("Quiet() = %v after SetQuiet(%v)", s.Quiet(), quiet)
		}
		s.Infof("fetching %d nodes", 3)
		s.Warnf("node %s is offline\n", "i-1")
		want := "fetching 3 nodes\nssmctl: node i-1 is offline\n"
		if quiet {
			want = "ssmctl: node i-1 is offline\n"
		}
		if got := errOut.String(); got != want {
			t.Errorf("quiet %v: stderr %q, want %q", quiet, got, want)
		}
		if out.Len() != 0 {
			t.Errorf("quiet %v: stdout %q, want nothing", quiet, out.String())
		}
	}
}

func TestProgressSilentOffTerminalOrQuiet(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		tty, quiet bool
	}{
		{"stderr not a terminal", false, false},
		{"quiet", true, true},
		{"quiet off a terminal", false, true},
	} {
		s, _, out, errOut := Test()
		s.SetStderrTTY(tt.tty)
		s.SetStdoutTTY(true)
		s.SetQuiet(tt.quiet)
		s.StartProgress("waiting")
		s.UpdateProgress("1/3 done, 0 failed")
		s.StopProgress()
		s.StopProgress()
		if errOut.Len() != 0 || out.Len() != 0 {
			t.Errorf("%s: stderr %q stdout %q, want nothing", tt.name, errOut.String(), out.String())
		}
	}
}

func TestProgressOnTerminal(t *testing.T) {
	t.Parallel()
	s, _, out, errOut := Test()
	s.SetStderrTTY(true)

	s.UpdateProgress("before start") // nothing runs yet: no output
	if errOut.Len() != 0 {
		t.Fatalf("UpdateProgress before StartProgress wrote %q", errOut.String())
	}
	s.StartProgress("sending command")
	if got := errOut.String(); !strings.Contains(got, "sending command") {
		t.Fatalf("after StartProgress stderr = %q, want the label", got)
	}
	s.UpdateProgress("37/120 done, 2 failed")
	if got := errOut.String(); !strings.HasSuffix(got, eraseLine+spinnerFrames[0]+" 37/120 done, 2 failed") {
		t.Errorf("after UpdateProgress stderr = %q, want the line redrawn with the new label", got)
	}

	// A warning lifts the spinner, prints on its own line, and puts it back.
	errOut.Reset()
	s.Warnf("node i-1 did not answer")
	want := eraseLine + "ssmctl: node i-1 did not answer\n" + eraseLine + spinnerFrames[0] + " 37/120 done, 2 failed"
	if got := errOut.String(); got != want {
		t.Errorf("Warnf during progress wrote %q, want %q", got, want)
	}

	errOut.Reset()
	s.StopProgress()
	if got := errOut.String(); got != eraseLine {
		t.Errorf("StopProgress wrote %q, want %q (clear the line)", got, eraseLine)
	}
	errOut.Reset()
	s.StopProgress()
	s.UpdateProgress("after stop")
	s.Infof("done")
	if got := errOut.String(); got != "done\n" {
		t.Errorf("after StopProgress stderr = %q, want only the info line", got)
	}
	if out.Len() != 0 {
		t.Errorf("progress wrote on stdout: %q", out.String())
	}
}

func TestProgressConcurrentUpdates(t *testing.T) {
	t.Parallel()
	s, _, _, errOut := Test()
	s.SetStderrTTY(true)
	s.StartProgress("running")
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 50 {
				s.UpdateProgress(strings.Repeat("x", i+j%3))
				if j%10 == 0 {
					s.Warnf("w%d", i)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	s.StopProgress()
	if got := errOut.String(); !strings.HasSuffix(got, eraseLine) || strings.Count(got, "ssmctl: w") != 40 {
		t.Errorf("concurrent progress: %d warnings, ends %q", strings.Count(got, "ssmctl: w"), got[max(0, len(got)-20):])
	}
}

func TestStripSGR(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := stripSGR{w: &b}
	in := "\r\x1b[K\x1b[37m⣾\x1b[0m label\x1b[?25l"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got, want := b.String(), "\r\x1b[K⣾ label\x1b[?25l"; got != want {
		t.Errorf("stripped %q, want %q", got, want)
	}
}

// The first failed write to stdout is remembered, whoever ignored it.
func TestOutErrorRemembersTheFirstFailedWrite(t *testing.T) {
	t.Parallel()
	s, _, _, _ := Test()
	if s.OutError() != nil {
		t.Fatal("an error before any write")
	}
	s.SetOut(failingWriter{})
	fmt.Fprintln(s.Out, "ignored")
	fmt.Fprintln(s.Out, "ignored again")
	if !errors.Is(s.OutError(), os.ErrClosed) {
		t.Errorf("OutError = %v", s.OutError())
	}
	if s.OutFile() != nil {
		t.Error("OutFile of a writer that is no file")
	}
	sys := System()
	if sys.OutFile() != os.Stdout {
		t.Error("System().OutFile() is not os.Stdout")
	}
}
