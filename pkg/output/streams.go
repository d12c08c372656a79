package output

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// defaultWidth is the terminal width assumed when it cannot be measured.
const defaultWidth = 80

// Streams is where ssmctl reads and writes. It answers whether each stream is
// a terminal, whether colour and prompts are allowed, and owns the progress
// spinner, so those rules live in one place and tests can set them either way.
//
// stdout carries data only. Progress, warnings, status lines and prompts go to
// ErrOut.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	quiet       bool
	noColor     bool
	neverPrompt bool
	width       int // 0: measure stdout, else this many columns

	// lookupEnv reads the environment; tests replace it so they can run in
	// parallel without t.Setenv.
	lookupEnv func(string) (string, bool)

	// mu guards the progress indicator and the lines written around it.
	mu       sync.Mutex
	progress progressIndicator
}

// System returns streams on the process's stdin, stdout and stderr.
// Writes to stdout are checked: OutError is the first that failed.
func System() *Streams {
	return &Streams{
		In:        os.Stdin,
		Out:       &checkedWriter{w: os.Stdout},
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
		lookupEnv: os.LookupEnv,
	}
}

// Test returns streams backed by buffers, with every TTY answer false.
func Test() (s *Streams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	s = &Streams{In: in, Out: &checkedWriter{w: out}, ErrOut: errOut, lookupEnv: os.LookupEnv}
	return s, in, out, errOut
}

// checkedWriter passes writes on to w and remembers the first that
// failed, so a command that does not look at its write errors (or goes on
// past one, as a stream of output does) still cannot end in success.
type checkedWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *checkedWriter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// SetOut makes w stdout, its writes checked as System's are (tests).
func (s *Streams) SetOut(w io.Writer) { s.Out = &checkedWriter{w: w} }

// OutError is the first write to stdout that failed, if any; the root
// turns it into the exit status whatever the command returned.
func (s *Streams) OutError() error {
	if c, ok := s.Out.(*checkedWriter); ok {
		return c.Err()
	}
	return nil
}

// OutFile is the file behind stdout, nil when it is not one (a test's
// buffer).
func (s *Streams) OutFile() *os.File {
	w := s.Out
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, _ := w.(*os.File)
	return f
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// IsStdinTTY reports whether stdin is a terminal.
func (s *Streams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *Streams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *Streams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides the stdin answer (tests).
func (s *Streams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides the stdout answer (tests).
func (s *Streams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides the stderr answer (tests).
func (s *Streams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetQuiet sets --quiet: no spinner and no Infof lines. Warnings, errors and
// prompts are not affected.
func (s *Streams) SetQuiet(v bool) { s.quiet = v }

// Quiet reports whether --quiet is set.
func (s *Streams) Quiet() bool { return s.quiet }

// SetNoColor sets --no-color.
func (s *Streams) SetNoColor(v bool) { s.noColor = v }

// SetNeverPrompt makes CanPrompt false whatever the terminals say, for a
// flag or setting that forbids interaction.
func (s *Streams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// ColorEnabled reports whether stdout may carry colour: stdout is a terminal,
// --no-color is not set, NO_COLOR is not set to a non-empty value (any value
// counts, per no-color.org; an empty NO_COLOR is ignored, as that page says),
// and TERM is not "dumb".
func (s *Streams) ColorEnabled() bool {
	if !s.stdoutTTY || s.noColor {
		return false
	}
	if v, ok := s.getenv("NO_COLOR"); ok && v != "" {
		return false
	}
	if v, _ := s.getenv("TERM"); v == "dumb" {
		return false
	}
	return true
}

func (s *Streams) getenv(key string) (string, bool) {
	if s.lookupEnv == nil {
		return os.LookupEnv(key)
	}
	return s.lookupEnv(key)
}

// CanPrompt reports whether ssmctl may ask the user something: stdin must be
// a terminal to read the answer and stderr, where prompts are written, must
// be one too. Stdout does not matter, so `ssmctl ... > file` can still ask.
// The CI environment variable is not consulted: a CI job without a terminal
// already fails the test, and one that allocates a terminal is treated as a
// terminal; SetNeverPrompt is the switch for forbidding prompts outright.
func (s *Streams) CanPrompt() bool {
	return s.stdinTTY && s.stderrTTY && !s.neverPrompt
}

// SetTerminalWidth fixes the width TerminalWidth reports (tests). Zero
// returns to measuring.
func (s *Streams) SetTerminalWidth(w int) { s.width = w }

// TerminalWidth is the width tables are fitted to: the width set by
// SetTerminalWidth (tests), else a positive COLUMNS, else the measured width
// of stdout when it is a terminal, else 80.
func (s *Streams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if w, ok := s.columns(); ok {
		return w
	}
	if !s.stdoutTTY {
		return defaultWidth
	}
	if f := s.OutFile(); f != nil {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return defaultWidth
}

// FitTables reports whether tables are fitted to TerminalWidth: when stdout
// is a terminal, or when COLUMNS is set (as `ls -C` honours it in a pipe).
// Otherwise a pipe gets full rows.
func (s *Streams) FitTables() bool {
	_, ok := s.columns()
	return s.stdoutTTY || ok
}

// columns is a positive integer COLUMNS; anything else is ignored.
func (s *Streams) columns() (int, bool) {
	v, _ := s.getenv("COLUMNS")
	w, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || w <= 0 {
		return 0, false
	}
	return w, true
}

// Warnf writes "ssmctl: <message>" on ErrOut, the prefix errors have, so
// everything ssmctl has to tell about a run is found the same way. It is
// the one way to warn. Warnings are shown even under --quiet: quiet
// silences progress and chatter, not things the user must know.
func (s *Streams) Warnf(format string, args ...any) {
	s.writeLine("ssmctl: " + fmt.Sprintf(format, args...))
}

// Infof writes a status line on ErrOut unless --quiet is set.
func (s *Streams) Infof(format string, args ...any) {
	if s.quiet {
		return
	}
	s.writeLine(fmt.Sprintf(format, args...))
}

// writeLine prints one line on ErrOut, lifting a running spinner out of the
// way first so the line is not mixed with spinner frames.
func (s *Streams) writeLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progress != nil {
		s.progress.Stop()
		defer s.progress.Start()
	}
	fmt.Fprint(s.ErrOut, strings.TrimRight(line, "\n")+"\n")
}
