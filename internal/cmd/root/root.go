// Package root is ssmctl's root command: the global flags, the command
// groups, help topics and the reference generator, and the one place
// where errors are printed and turned into the exit code.
package root

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/build"
	"github.com/ssmctl/ssmctl/internal/cmd/activate"
	automationcmd "github.com/ssmctl/ssmctl/internal/cmd/automation"
	calendarcmd "github.com/ssmctl/ssmctl/internal/cmd/calendar"
	"github.com/ssmctl/ssmctl/internal/cmd/cp"
	"github.com/ssmctl/ssmctl/internal/cmd/doc"
	"github.com/ssmctl/ssmctl/internal/cmd/nodes"
	"github.com/ssmctl/ssmctl/internal/cmd/opsitem"
	"github.com/ssmctl/ssmctl/internal/cmd/param"
	"github.com/ssmctl/ssmctl/internal/cmd/patch"
	"github.com/ssmctl/ssmctl/internal/cmd/portforward"
	"github.com/ssmctl/ssmctl/internal/cmd/run"
	"github.com/ssmctl/ssmctl/internal/cmd/sandbox"
	"github.com/ssmctl/ssmctl/internal/cmd/secret"
	sessioncmd "github.com/ssmctl/ssmctl/internal/cmd/session"
	sshcmd "github.com/ssmctl/ssmctl/internal/cmd/ssh"
	"github.com/ssmctl/ssmctl/internal/cmd/version"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// Main builds the root command, executes it with a context that SIGINT,
// SIGTERM, SIGHUP and SIGPIPE cancel (signalContext), and returns the
// process exit code. Nothing else in ssmctl exits the process.
func Main() int {
	// Under the name session-manager-plugin (a symlink), ssmctl is the
	// official plugin, for the AWS CLI: its code owns signals and exits.
	if isPluginName(os.Args[0]) {
		return session.RunPlugin(os.Args, os.Stdout)
	}
	ctx, stop := signalContext(context.Background())
	defer stop()
	return Execute(ctx, cmdutil.New(output.System(), os.Getenv), os.Args[1:])
}

func isPluginName(argv0 string) bool {
	return strings.TrimSuffix(filepath.Base(argv0), ".exe") == session.PluginName
}

// Execute runs one command line against f and returns the exit code. Tests
// call it in-process with buffer-backed streams.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) int {
	return ExecuteCmd(ctx, f, NewCmdRoot(f), args)
}

// ExecuteCmd runs one command line on root, a tree NewCmdRoot built (tests
// swap a command of it for one with a runF), and returns the exit code.
func ExecuteCmd(ctx context.Context, f *cmdutil.Factory, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	f.IO.StopProgress()
	err = f.Blame(err)
	switch werr := f.IO.OutError(); {
	case werr == nil:
	case brokenPipe(werr):
		// The reader went away (| head): SIGPIPE, which ssmctl catches,
		// ends it with 141 as it ends cat, silently unless the command
		// says what the signal stopped (a session it terminated).
		var e *exitcode.Error
		if !errors.As(err, &e) || e.Code != exitcode.BrokenPipe {
			err = exitcode.Silent(exitcode.BrokenPipe)
		}
	default:
		// Output that did not arrive is a failure whatever the command
		// said: a command streaming output goes on past a failed write.
		err = exitcode.Wrap(exitcode.Other, fmt.Errorf("writing output: %w", bareError(werr)))
	}
	err = interruption(ctx, err)
	printError(f.IO.ErrOut, cmd, err)
	return exitcode.Code(err)
}

// bareError is err without the file name an *fs.PathError adds
// ("write /dev/stdout: no space left on device" is "no space left on
// device").
func bareError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// printError is the one place where errors are printed: one line on
// stderr ("ssmctl: ..."), one per item for a command that went on past
// failed items, plus a pointer to cmd's help for usage errors.
func printError(w io.Writer, cmd *cobra.Command, err error) {
	if err == nil || exitcode.IsSilent(err) {
		return
	}
	var items *cmdutil.ItemErrors
	if errors.As(err, &items) {
		for _, line := range items.Lines() {
			fmt.Fprintf(w, "ssmctl: %s\n", line)
		}
		return
	}
	fmt.Fprintf(w, "ssmctl: %s\n", exitcode.Message(err))
	var fe *cmdutil.FlagError
	if errors.As(err, &fe) && cmd != nil {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}

// NewCmdRoot builds the command tree on f.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "ssmctl",
		Short: "AWS Systems Manager from the command line",
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
			return f.Prepare(cmd)
		},
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagError)
	addGlobalFlags(root, f.Global)

	root.AddGroup(
		&cobra.Group{ID: "fleet", Title: "Fleet commands:"},
		&cobra.Group{ID: "config", Title: "Configuration:"},
		&cobra.Group{ID: "tools", Title: "Tools:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("fleet", nodes.NewCmdNodes(f, nil))
	add("fleet", run.NewCmdRun(f, nil), sessioncmd.NewCmdSession(f, nil), portforward.NewCmdPortForward(f, nil),
		sshcmd.NewCmdSSH(f, nil), sshcmd.NewCmdProxy(f, nil), sshcmd.NewCmdConfig(f, nil), doc.NewCmdDoc(f))
	add("config", param.NewCmdParam(f))
	add("tools", sandbox.NewCmdSandbox(f, nil), version.NewCmdVersion(f))
	add("fleet", calendarcmd.NewCmdCalendar(f))
	add("config", secret.NewCmdSecret(f))
	add("fleet", opsitem.NewCmdOpsItem(f))
	add("fleet", activate.NewCmdActivate(f))
	add("fleet", patch.NewCmdPatch(f))
	add("fleet", automationcmd.NewCmdAutomation(f, doc.NewCmdDocOfType(f, "Automation")))
	add("fleet", cp.NewCmdCp(f, nil))
	root.AddCommand(newHelpTopics()...)
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
	root.Long = rootIntro(root)
	root.Version = build.Current().Version
	root.Flags().BoolP("version", "v", false, "print the version of ssmctl")
	root.SetVersionTemplate("ssmctl {{.Version}}\n")
	wrapArgs(root)
	return root
}

// Replace swaps the command named like cmd under the command at path
// (none: the root) for cmd, wrapped as NewCmdRoot wraps its commands.
// Tests use it to run one command with a runF that captures its options.
func Replace(root *cobra.Command, cmd *cobra.Command, path ...string) {
	parent := root
	if len(path) > 0 {
		var err error
		if parent, _, err = root.Find(path); err != nil {
			panic(err)
		}
	}
	for _, c := range parent.Commands() {
		if c.Name() == cmd.Name() {
			parent.RemoveCommand(c)
			cmd.GroupID = c.GroupID
		}
	}
	parent.AddCommand(cmd)
	wrapArgs(cmd)
}

// unknownSubcommand is the Args check of a command that only groups
// subcommands: an argument there names no subcommand.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // Cobra's default, which only its own root check applies
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return cmdutil.FlagErrorf("%s", msg)
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
			var fe *cmdutil.FlagError
			if errors.As(err, &fe) {
				return err
			}
			return argsError(cmd, args, inner, err)
		}
		return nil
	}
}
