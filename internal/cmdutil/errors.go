package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// FlagError is a usage error found in a command's flags or arguments,
// before any AWS call: it exits 252, and the root prints it with a pointer
// to the command's --help.
type FlagError struct {
	err error
	// flag, value and reason are set for a wrong flag value
	// (FlagValueErrorf), so a value that came from the config file is
	// blamed on the file (Factory.Blame).
	flag, value, reason string
}

// FlagErrorf is the one way to make a usage error; %w keeps the wrapped
// error's text.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{err: fmt.Errorf(format, args...)}
}

// FlagValueErrorf is the usage error of a wrong value of --flag:
// `invalid --flag "value": reason`. Validators of flag values use it, so
// that a value set by the config file or an SSMCTL_* variable is reported
// as a configuration error naming the file, key and value instead.
func FlagValueErrorf(flag, value, reasonFormat string, args ...any) error {
	reason := fmt.Sprintf(reasonFormat, args...)
	return &FlagError{err: fmt.Errorf("invalid --%s %q: %s", flag, value, reason), flag: flag, value: value, reason: reason}
}

func (e *FlagError) Error() string { return e.err.Error() }

// Unwrap gives the exit code: a usage error.
func (e *FlagError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Usage, Err: e.err}
}

// NoArgs rejects positional arguments with a message naming them. On a
// command that runs and has subcommands too (activate tier, with get and
// set), the first argument is taken for a mistyped subcommand and named
// as one, with the closest subcommand when there is one.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasAvailableSubCommands() {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		// The closest first: Cobra lists every subcommand within the
		// distance in their order, so "sett" would get "get" before "set".
		defer func(d int) { cmd.SuggestionsMinimumDistance = d }(cmd.SuggestionsMinimumDistance)
		for d := 1; d <= 2; d++ { // 2 is Cobra's default
			cmd.SuggestionsMinimumDistance = d
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				return FlagErrorf("%s; did you mean %q?", msg, s[0])
			}
		}
		return FlagErrorf("%s", msg)
	}
	return FlagErrorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
}

// Failure is one item that failed in a command that acts on several.
type Failure struct {
	Item string // what failed, e.g. a parameter name; may be empty
	Err  error
}

// Message is the failure in one line: "ITEM: message", unless the message
// names the item already.
func (f Failure) Message() string {
	msg := exitcode.Message(f.Err)
	if f.Item != "" && !strings.HasPrefix(msg, f.Item) {
		msg = f.Item + ": " + msg
	}
	return msg
}

// ItemErrors is the exit error of a command that acted on several items,
// went on past the ones that failed, and printed what it did: the root
// prints one line per failure (or the summary, when there is one).
type ItemErrors struct {
	lines []string
	code  int
}

func (e *ItemErrors) Error() string { return strings.Join(e.lines, "\n") }

// Lines are the lines to print, one per failure or the one summary.
func (e *ItemErrors) Lines() []string { return e.lines }

// Unwrap gives the exit code.
func (e *ItemErrors) Unwrap() error {
	return &exitcode.Error{Code: e.code, Err: errors.New(e.lines[0])}
}

// ItemsError turns the failures of a command that acts on several items
// into its exit error, once the command has shown what it did (a row per
// item): nil when none failed; an interruption as it is; otherwise an
// *ItemErrors that prints each failure on a line of its own, or only
// summary when one is given (the command has shown each failure already),
// and exits with the first failure's code, where a failure without an AWS
// or usage code of its own counts as AWS's (254).
func ItemsError(failures []Failure, summary string) error {
	if len(failures) == 0 {
		return nil
	}
	for _, f := range failures {
		if errors.Is(f.Err, context.Canceled) {
			return f.Err
		}
	}
	code := exitcode.Code(failures[0].Err)
	if code == exitcode.OK || code == exitcode.Other {
		code = exitcode.AWS
	}
	e := &ItemErrors{code: code}
	if summary != "" {
		e.lines = []string{summary}
		return e
	}
	for _, f := range failures {
		e.lines = append(e.lines, f.Message())
	}
	return e
}
