package cmdutil

import (
	"bufio"
	"io"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/output"
)

// NeedYes is the check a destructive command makes before anything else:
// without --yes it must be able to ask (a terminal), else it is a usage
// error "refusing to WHAT without --yes when not on a terminal".
func NeedYes(streams *output.Streams, yes bool, what string) error {
	if !yes && !streams.CanPrompt() {
		return FlagErrorf("refusing to %s without --yes when not on a terminal", what)
	}
	return nil
}

// Confirm asks a yes/no question on stderr and reads the answer from
// stdin; only y or yes is a yes.
func Confirm(streams *output.Streams, question string) (bool, error) {
	streams.StopProgress()
	if _, err := io.WriteString(streams.ErrOut, question+" [y/N] "); err != nil {
		return false, err
	}
	line, err := bufio.NewReader(streams.In).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}
