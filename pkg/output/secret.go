package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// ReadSecret asks for a secret on the terminal: the prompt goes to ErrOut
// and what is typed is not echoed (the terminal's echo is turned off
// before the prompt is printed, and back on after, also when reading
// fails). It reads one line
// and returns it without the line end. When stdin is not a terminal file
// (tests), it reads a line from In as it is.
func (s *Streams) ReadSecret(prompt string) (string, error) {
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// Echo off before the prompt: what is typed as soon as the prompt
		// shows is never echoed.
		restore, err := echoOff(int(f.Fd()))
		if err != nil {
			return "", fmt.Errorf("reading the value from the terminal: %w", err)
		}
		fmt.Fprint(s.ErrOut, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		restore()
		fmt.Fprintln(s.ErrOut)
		if err != nil {
			return "", fmt.Errorf("reading the value from the terminal: %w", err)
		}
		return string(b), nil
	}
	fmt.Fprint(s.ErrOut, prompt)
	line, err := bufio.NewReader(s.In).ReadString('\n')
	fmt.Fprintln(s.ErrOut)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if err != nil && line == "" {
		return "", errors.New("no value typed (end of input)")
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}
