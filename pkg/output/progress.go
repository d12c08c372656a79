package output

import (
	"io"
	"os"
	"time"

	"github.com/briandowns/spinner"

	"github.com/ssmctl/ssmctl/internal/lazyre"
)

// spinnerInterval is the spinner's frame delay.
var spinnerInterval = 120 * time.Millisecond

// spinnerFrames is the braille spinner the GitHub CLI uses.
var spinnerFrames = spinner.CharSets[11]

// eraseLine returns the cursor to column 0 and clears the line.
const eraseLine = "\r\x1b[K"

// progressIndicator is a one-line status on stderr that can be taken down to
// print something and put back.
type progressIndicator interface {
	Start()
	SetLabel(label string)
	Stop()
}

// StartProgress shows a spinner with label on ErrOut, only when stderr is a
// terminal and --quiet is not set; otherwise it does nothing. Starting again
// while running only changes the label.
func (s *Streams) StartProgress(label string) {
	if !s.stderrTTY || s.quiet {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progress != nil {
		s.progress.SetLabel(label)
		return
	}
	s.progress = s.newProgress(label)
	s.progress.Start()
}

// UpdateProgress changes the running spinner's label, e.g. "37/120 done, 2
// failed". Without a running spinner it does nothing.
func (s *Streams) UpdateProgress(label string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progress != nil {
		s.progress.SetLabel(label)
	}
}

// StopProgress takes the spinner down and clears its line. It is safe to call
// when no spinner runs.
func (s *Streams) StopProgress() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progress != nil {
		s.progress.Stop()
		s.progress = nil
	}
}

// newProgress picks the indicator: the animated briandowns spinner when
// ErrOut is a real file (it checks the file is a terminal itself), else a
// synchronous one-line status, which is what a test's buffer gets.
func (s *Streams) newProgress(label string) progressIndicator {
	if f, ok := s.ErrOut.(*os.File); ok {
		return &animatedProgress{file: f, label: label}
	}
	return &lineProgress{w: s.ErrOut, label: label}
}

// animatedProgress drives github.com/briandowns/spinner. A fresh spinner is
// made on every Start, because a briandowns spinner that is stopped and
// started again shares one stop channel between two goroutines.
type animatedProgress struct {
	file  *os.File
	label string

	sp *spinner.Spinner
}

func (p *animatedProgress) Start() {
	if p.sp != nil {
		return
	}
	sp := spinner.New(spinnerFrames, spinnerInterval, spinner.WithWriterFile(p.file))
	// The spinner colours its frame through fatih/color, which decides on
	// colour by looking at stdout; strip it so --no-color and NO_COLOR hold.
	sp.Writer = stripSGR{w: p.file}
	// A hidden cursor would stay hidden if ssmctl died mid-spin.
	sp.HideCursor = false
	sp.Suffix = " " + p.label
	sp.Start()
	p.sp = sp
}

func (p *animatedProgress) SetLabel(label string) {
	p.label = label
	if p.sp != nil {
		p.sp.Lock()
		p.sp.Suffix = " " + label
		p.sp.Unlock()
	}
}

func (p *animatedProgress) Stop() {
	if p.sp != nil {
		p.sp.Stop()
		p.sp = nil
	}
}

// lineProgress writes the label once per change, with a static frame and no
// goroutine; it stands in for the animation where ErrOut is not a file.
type lineProgress struct {
	w      io.Writer
	label  string
	active bool
}

func (p *lineProgress) Start() {
	if p.active {
		return
	}
	p.active = true
	p.draw()
}

func (p *lineProgress) SetLabel(label string) {
	p.label = label
	if p.active {
		p.draw()
	}
}

func (p *lineProgress) draw() {
	_, _ = io.WriteString(p.w, eraseLine+spinnerFrames[0]+" "+p.label)
}

func (p *lineProgress) Stop() {
	if !p.active {
		return
	}
	p.active = false
	_, _ = io.WriteString(p.w, eraseLine)
}

// sgrPattern matches ANSI Select Graphic Rendition sequences (colours).
var sgrPattern = lazyre.New("\x1b\\[[0-9;]*m")

// stripSGR removes colour sequences and keeps cursor movement and erasing.
type stripSGR struct{ w io.Writer }

func (s stripSGR) Write(b []byte) (int, error) {
	if _, err := s.w.Write(sgrPattern.ReplaceAll(b, nil)); err != nil {
		return 0, err
	}
	return len(b), nil
}
