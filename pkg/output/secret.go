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
// and what is typed is not echoed (the terminal's echo is turned off for
// the line, and back on after, also when reading fails). It reads one line
// and returns it without the line end. When stdin is not a terminal file
// (tests), it reads a line from In as it is.
func (s *Streams) ReadSecret(prompt string) (string, error) {
	fmt.Fprint(s.ErrOut, prompt)
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.ErrOut)
		if err != nil {
			return "", fmt.Errorf("reading the value from the terminal: %w", err)
		}
		return string(b), nil
	}
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
