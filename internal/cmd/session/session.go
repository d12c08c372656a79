// Package session is `ssmctl session` and its subcommands: open a shell
// or run one command on a node, list and end sessions, and the account's
// Session Manager preferences.
package session

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Options is what session uses.
type Options struct {
	IO      *output.Streams
	Now     func() time.Time
	Getenv  func(string) string
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*session.Client, session.Connection, error)

	Targets     []string
	Command     []string // after --: one-shot
	Document    string
	Params      []string
	Interactive string // --command
	Reason      string
	Pick        string
	Record      string
	RecordInput bool

	// Request is built by complete from the flags; OneShot is a command
	// after --.
	Request session.Request
	OneShot bool

	// files are the process's stdin and stdout when they are *os.File;
	// tests with buffers leave them nil.
	stdinFile, stdoutFile *os.File
}

// NewCmdSession is `ssmctl session` with its subcommands.
func NewCmdSession(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Now: f.Now, Getenv: f.Getenv, Aliases: f.Aliases, Client: cmdutil.SessionClient(f)}
	if fi, ok := f.IO.In.(*os.File); ok {
		opts.stdinFile = fi
	}
	if fo := f.IO.OutFile(); fo != nil {
		opts.stdoutFile = fo
	}
	cmd := &cobra.Command{
		Use:   "session TARGET [-- COMMAND [ARGS...]]",
		Short: "Open a shell on a managed node, or run one command there with its exit code",
		Long: `Open an interactive shell on one managed node through Session Manager, or,
with a command after --, run that command (AWS-StartNonInteractiveCommand)
with its stdout and stderr copied live to ssmctl's stdout and stderr, and
exit with the command's own exit code.

TARGET must select exactly one node. When it matches several, ssmctl asks
which one on a terminal; otherwise it lists them and exits 252. --pick any
takes a random online one.

In a shell, Ctrl-C, Ctrl-Z and Ctrl-\ go to the remote side, and the remote
terminal follows the size of yours. Type ~. at the start of a line (right
after Enter) to leave a session that hangs; ~~ sends one ~. When stdin is
not a terminal, it is sent to the remote shell, and its end becomes Ctrl-D.

After --, one word is a shell command line as it stands (pipes and $VARS
work, as with ssh); several words are each quoted for the node's shell (sh,
or PowerShell on Windows), so every one reaches the command as one argument
(the same rule as run). The command gets no stdin.

Status lines go to stderr (--quiet drops them). No session outlives
ssmctl: one the node or AWS has not ended is terminated. The session token never appears in
arguments, logs or errors. See docs/sessions.md.`,
		Example: `  # A shell on the node named web-1
  ssmctl session web-1

  # Run one command; ssmctl exits with its exit code
  ssmctl session web-1 -- systemctl is-active nginx

  # Several words keep their arguments
  ssmctl session i-0123456789abcdef0 -- printf '%s\n' 'a b' c

  # Any one online node of a group, recorded for asciinema
  ssmctl session tag:Role=web --pick any --record web.cast --reason "INC-1234"

  # An interactive command, or another session document
  ssmctl session db-1 --command 'sudo -u postgres psql'
  ssmctl session db-1 --document MyOrg-Shell --param user=ops`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets, opts.Command, opts.OneShot = cmdutil.SplitAtDash(cmd, args)
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return openRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Document, "document", "", "start the Session document `NAME` instead of a shell")
	fl.StringArrayVar(&opts.Params, "param", nil, "document parameter `key=value` (repeatable; repeat a key for a list)")
	fl.StringVar(&opts.Interactive, "command", "", "run `CMD` in a terminal (AWS-StartInteractiveCommand) instead of a shell")
	fl.StringVar(&opts.Reason, "reason", "", "why the session is opened, recorded by AWS (at most 256 characters)")
	fl.StringVar(&opts.Pick, "pick", "", `"any": take a random online node when TARGET matches several`)
	fl.StringVar(&opts.Record, "record", "", "record the session to `FILE` in asciicast v2 (a new file gets mode 0600)")
	fl.BoolVar(&opts.RecordInput, "record-input", false, "with --record, also record what is typed (passwords too)")
	_ = cmd.RegisterFlagCompletionFunc("pick", cobra.FixedCompletions([]string{"any"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("document", cmdutil.CompleteDocuments(f))

	cmd.AddCommand(NewCmdList(f, nil), NewCmdTerminate(f, nil), NewCmdPrefs(f))
	return cmd
}

// complete checks the flags and builds the request, without I/O.
func (o *Options) complete() error {
	if len(o.Targets) == 0 {
		return cmdutil.FlagErrorf("no target: give the node, e.g. ssmctl session web-1")
	}
	specs, err := target.ParseAll(o.Targets, o.Aliases())
	if err != nil {
		return err
	}
	params, err := cmdutil.ParseParams(o.Params)
	if err != nil {
		return err
	}
	if o.Pick != "" && o.Pick != "any" {
		return cmdutil.FlagValueErrorf("pick", o.Pick, "the only choice is any")
	}
	req := session.Request{Specs: specs, Document: o.Document, Parameters: params, Reason: o.Reason, PickAny: o.Pick == "any"}
	switch {
	case o.OneShot:
		if len(o.Command) == 0 {
			return cmdutil.FlagErrorf("nothing after --: give the command to run")
		}
		if o.Document != "" || o.Interactive != "" || len(o.Params) > 0 {
			return cmdutil.FlagErrorf("a command after -- runs AWS-StartNonInteractiveCommand: it takes no --document, --command or --param")
		}
		if o.Record != "" {
			return cmdutil.FlagErrorf("--record records interactive sessions; a command after -- writes to stdout and stderr")
		}
		// The command line is built for the node's shell once the node is
		// known (pkg/cmdline).
		req.Command = o.Command
	case o.Interactive != "":
		if o.Document != "" && o.Document != session.InteractiveCommandDocument {
			return cmdutil.FlagErrorf("--command runs %s: it cannot be used with --document %s", session.InteractiveCommandDocument, o.Document)
		}
		if len(o.Params) > 0 {
			return cmdutil.FlagErrorf("--command takes no --param")
		}
		req.Document = session.InteractiveCommandDocument
		req.Parameters = map[string][]string{"command": {o.Interactive}}
	}
	if o.RecordInput && o.Record == "" {
		return cmdutil.FlagErrorf("--record-input needs --record FILE")
	}
	if err := req.Validate(); err != nil {
		return err
	}
	o.Request = req
	return nil
}

func openRun(ctx context.Context, opts *Options) error {
	// The recording file is made before any AWS call, so a path that
	// cannot be written starts no session; it replaces the file at that
	// path only once the session has started.
	var record *cmdutil.File
	if opts.Record != "" {
		f, err := cmdutil.CreateFile(ctx, opts.Record, 0o600)
		if err != nil {
			if ctx.Err() != nil {
				return err // interrupted while a FIFO waited for its reader
			}
			return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--record: %w", cmdutil.FileError(opts.Record, err)))
		}
		record = f
		defer record.Discard()
	}
	client, conn, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	// AWS's own command documents are known; only a document the user
	// names is read and its parameters checked before StartSession.
	started, err := client.Open(ctx, opts.Request, opts.Document != "")
	if err != nil {
		return err
	}
	opts.IO.Infof("Starting session with SessionId: %s (%s)", started.SessionID, session.NodeLabel(started.Node))
	if opts.OneShot {
		return client.OneShot(ctx, started, conn, opts.IO.Out, opts.IO.ErrOut, opts.IO.Warnf)
	}
	so := session.ShellOptions{In: opts.IO.In, Out: opts.IO.Out, InFd: -1, OutFd: -1, Status: opts.IO.Infof}
	if opts.stdinFile != nil {
		so.InFd = int(opts.stdinFile.Fd())
	}
	if opts.stdoutFile != nil {
		so.OutFd = int(opts.stdoutFile.Fd())
	}
	iopts := session.InteractiveOptions{
		ShellOptions: so, RecordInput: opts.RecordInput,
		Reason: opts.Reason, Term: opts.Getenv("TERM"), Start: opts.Now(),
		Warn: opts.IO.Warnf,
	}
	if record != nil {
		iopts.Record, iopts.RecordName = record, opts.Record
	}
	return client.Interactive(ctx, started, conn, iopts)
}
