package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// run builds the root command, executes it with a context that SIGINT and
// SIGTERM cancel, and turns the returned error into the process exit code.
// Nothing else in ssmctl exits the process.
func run() int {
	// Under the name session-manager-plugin (a symlink), ssmctl is the
	// official plugin, for the AWS CLI: its code owns signals and exits.
	if isPluginName(os.Args[0]) {
		return session.RunPlugin(os.Args, os.Stdout)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return execute(ctx, newFactory(output.System(), os.Getenv), os.Args[1:])
}

func isPluginName(argv0 string) bool {
	return strings.TrimSuffix(filepath.Base(argv0), ".exe") == session.PluginName
}

// execute runs one command line against f and returns the exit code. Tests
// call it in-process with buffer-backed streams.
func execute(ctx context.Context, f *factory, args []string) int {
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	f.streams.StopProgress()
	if err != nil && ctx.Err() != nil && !errors.As(err, new(*exitcode.Error)) {
		// The user interrupted; whatever the command was doing failed because of it.
		err = exitcode.Wrap(exitcode.Interrupted, errors.New("interrupted"))
	}
	printError(f.streams.ErrOut, err)
	return exitcode.Code(err)
}

// printError is the one place where errors are printed: one line on stderr,
// plus a pointer to help for usage errors.
func printError(w io.Writer, err error) {
	if err == nil || exitcode.IsSilent(err) {
		return
	}
	fmt.Fprintf(w, "ssmctl: %s\n", exitcode.Message(err))
	var u *usageError
	if errors.As(err, &u) && u.cmdPath != "" {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", u.cmdPath)
	}
}

// usageError is a usage error found by Cobra's parsing (a bad flag, a wrong
// number of arguments, an unknown command): it carries the command to point
// the user at.
type usageError struct {
	cmdPath string
	err     error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error {
	return &exitcode.Error{Code: exitcode.Usage, Err: e.err}
}

func newUsageError(cmd *cobra.Command, err error) error {
	return &usageError{cmdPath: cmd.CommandPath(), err: err}
}

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "ssmctl",
		Short: "AWS Systems Manager from the command line",
		Long: `ssmctl runs commands on a fleet, opens shells and tunnels to managed nodes,
and manages parameters, secrets, hybrid activations, OpsItems and patching.

Data goes to stdout; progress, warnings and errors go to stderr. Output is a
table on a terminal and tab-separated text otherwise; -o json|yaml prints
stable documents that --query (JMESPath) can shape.

Try it without an AWS account: 'ssmctl sandbox' starts a local emulator.`,
		Example: `  # List the managed nodes of the current account and region
  ssmctl nodes

  # Nodes tagged Environment=Prod, as JSON
  ssmctl nodes tag:Environment=Prod -o json

  # Start a local sandbox and point ssmctl at it
  ssmctl sandbox --env-file sandbox.env &
  . ./sandbox.env && ssmctl nodes`,
		SilenceUsage:               true,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		// Without arguments the root prints help; anything else is an
		// unknown command, which is a usage error.
		Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return f.prepare(cmd)
		},
	}
	root.SetIn(f.streams.In)
	root.SetOut(f.streams.Out)
	root.SetErr(f.streams.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return newUsageError(cmd, err)
	})
	f.global.addFlags(root)

	root.AddGroup(
		&cobra.Group{ID: "fleet", Title: "Fleet commands:"},
		&cobra.Group{ID: "config", Title: "Configuration and secrets:"},
		&cobra.Group{ID: "tools", Title: "Tools:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("fleet", newNodesCmd(f, nil))
	add("fleet", newRunCmd(f, nil), newSessionCmd(f, nil), newDocCmd(f))
	add("config", newParamCmd(f))
	add("tools", newSandboxCmd(f, nil), newVersionCmd(f))
	root.AddCommand(newHelpTopics()...)
	root.AddCommand(newGenDocsCmd(f))
	root.SetHelpCommandGroupID("tools")
	root.SetCompletionCommandGroupID("tools")
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = `  # bash, for the current shell
  source <(ssmctl completion bash)

  # zsh, for every new shell
  ssmctl completion zsh > "${fpath[1]}/_ssmctl"

  # fish
  ssmctl completion fish > ~/.config/fish/completions/ssmctl.fish`
		}
	}
	wrapArgs(root)
	return root
}

// unknownSubcommand is the Args check of a command that only groups
// subcommands: an argument there names no subcommand.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return newUsageError(cmd, errors.New(msg))
}

// wrapArgs makes every positional-argument error a usage error (exit 252),
// and makes group commands (those with subcommands and nothing to run of
// their own) reject unknown subcommands instead of printing help.
func wrapArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
	if !c.HasParent() {
		return
	}
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = unknownSubcommand
		c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		return
	}
	if c.Args == nil {
		return
	}
	inner := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := inner(cmd, args); err != nil {
			var u *usageError
			if errors.As(err, &u) {
				return err
			}
			return newUsageError(cmd, err)
		}
		return nil
	}
}

// noArgs rejects positional arguments with a message naming them.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return newUsageError(cmd, fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " ")))
	}
	return nil
}
