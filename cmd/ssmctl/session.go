package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

type sessionOptions struct {
	f *factory

	Targets     []string
	Command     []string // after --: one-shot
	Document    string
	Params      []string
	Interactive string // --command
	Reason      string
	Pick        string
	Record      string
	RecordInput bool

	request session.Request
	oneShot bool

	client func(ctx context.Context) (*session.Client, session.Connection, error)
	// files are the process's stdin and stdout when they are *os.File;
	// tests with buffers leave them nil.
	stdinFile, stdoutFile *os.File
}

func newSessionCmd(f *factory, runF func(*sessionOptions) error) *cobra.Command {
	opts := &sessionOptions{f: f, client: sessionClient(f)}
	if fi, ok := f.streams.In.(*os.File); ok {
		opts.stdinFile = fi
	}
	if fo, ok := f.streams.Out.(*os.File); ok {
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
work, as with ssh); several words are each quoted, so every one reaches the
command as one argument. The command gets no stdin.

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
			targets, command := args, []string(nil)
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				targets, command = args[:dash], args[dash:]
				opts.oneShot = true
			}
			opts.Targets = slices.Clone(targets)
			opts.Command = command
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return sessionRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeTargets(f),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Document, "document", "", "start the Session document `NAME` instead of a shell")
	fl.StringArrayVar(&opts.Params, "param", nil, "document parameter `key=value` (repeatable; repeat a key for a list)")
	fl.StringVar(&opts.Interactive, "command", "", "run `CMD` in a terminal (AWS-StartInteractiveCommand) instead of a shell")
	fl.StringVar(&opts.Reason, "reason", "", "why the session is opened, recorded by AWS (at most 256 characters)")
	fl.StringVar(&opts.Pick, "pick", "", `"any": take a random online node when TARGET matches several`)
	fl.StringVar(&opts.Record, "record", "", "record the session to `FILE` in asciicast v2 (mode 0600)")
	fl.BoolVar(&opts.RecordInput, "record-input", false, "with --record, also record what is typed (passwords too)")
	_ = cmd.RegisterFlagCompletionFunc("pick", cobra.FixedCompletions([]string{"any"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("document", completeDocuments(f))

	// session list, terminate and prefs: session_admin.go.
	cmd.AddCommand(newSessionListCmd(f, nil), newSessionTerminateCmd(f, nil), newSessionPrefsCmd(f))
	return cmd
}

// complete checks the flags and builds the request, without I/O.
func (o *sessionOptions) complete() error {
	if len(o.Targets) == 0 {
		return usageErr(errors.New("no target: give the node, e.g. ssmctl session web-1"))
	}
	specs, err := target.ParseAll(o.Targets, o.f.aliases())
	if err != nil {
		return err
	}
	params, err := parseParams(o.Params)
	if err != nil {
		return err
	}
	if o.Pick != "" && o.Pick != "any" {
		return usageErr(fmt.Errorf("invalid --pick %q: the only choice is any", o.Pick))
	}
	req := session.Request{Specs: specs, Document: o.Document, Parameters: params, Reason: o.Reason, PickAny: o.Pick == "any"}
	switch {
	case o.oneShot:
		if len(o.Command) == 0 {
			return usageErr(errors.New("nothing after --: give the command to run"))
		}
		if o.Document != "" || o.Interactive != "" || len(o.Params) > 0 {
			return usageErr(errors.New("a command after -- runs AWS-StartNonInteractiveCommand: it takes no --document, --command or --param"))
		}
		if o.Record != "" {
			return usageErr(errors.New("--record records interactive sessions; a command after -- writes to stdout and stderr"))
		}
		req.Document = session.NonInteractiveDocument
		// separateOutputStream makes the agent send stderr as StdErr and
		// the exit code as ExitCode payloads.
		req.Parameters = map[string][]string{"command": {session.RemoteCommand(o.Command)}, "separateOutputStream": {"true"}}
	case o.Interactive != "":
		if o.Document != "" && o.Document != session.InteractiveCommandDocument {
			return usageErr(fmt.Errorf("--command runs %s: it cannot be used with --document %s", session.InteractiveCommandDocument, o.Document))
		}
		if len(o.Params) > 0 {
			return usageErr(errors.New("--command takes no --param"))
		}
		req.Document = session.InteractiveCommandDocument
		req.Parameters = map[string][]string{"command": {o.Interactive}}
	}
	if o.RecordInput && o.Record == "" {
		return usageErr(errors.New("--record-input needs --record FILE"))
	}
	if err := req.Validate(); err != nil {
		return err
	}
	o.request = req
	return nil
}

// sessionClient builds the session client and connection from the
// factory, lazily.
func sessionClient(f *factory) func(ctx context.Context) (*session.Client, session.Connection, error) {
	return func(ctx context.Context) (*session.Client, session.Connection, error) {
		cfg, err := f.awsConfig(ctx)
		if err != nil {
			return nil, session.Connection{}, err
		}
		r, err := f.resolver(ctx)
		if err != nil {
			return nil, session.Connection{}, err
		}
		c := &session.Client{API: ssm.NewFromConfig(cfg), Nodes: r}
		if f.streams.IsStdinTTY() && f.streams.IsStderrTTY() && f.streams.CanPrompt() {
			c.Pick = func(nodes []target.Node) (target.Node, error) { return pickNode(f.streams.In, f.streams.ErrOut, nodes) }
		}
		conn := session.Connection{Region: cfg.Region, Credentials: cfg.Credentials}
		if f.global.Debug {
			conn.Debug = f.streams.ErrOut
		}
		return c, conn, nil
	}
}

// pickNode asks on stderr which node to open, reading the answer from
// stdin.
func pickNode(in io.Reader, out io.Writer, nodes []target.Node) (target.Node, error) {
	fmt.Fprintf(out, "%d nodes match:\n", len(nodes))
	for i, n := range nodes {
		fmt.Fprintf(out, "  %2d) %s [%s]\n", i+1, session.NodeLabel(n), n.PingStatus)
	}
	r := bufio.NewReader(in)
	for {
		fmt.Fprintf(out, "Open a session on which one? [1-%d] ", len(nodes))
		line, err := r.ReadString('\n')
		line = strings.TrimSpace(line)
		if k, perr := strconv.Atoi(line); perr == nil && k >= 1 && k <= len(nodes) {
			return nodes[k-1], nil
		}
		if err != nil {
			return target.Node{}, exitcode.Usagef("no node chosen")
		}
		if line != "" {
			fmt.Fprintf(out, "%q is not a number from 1 to %d\n", line, len(nodes))
		}
	}
}

func sessionRun(ctx context.Context, opts *sessionOptions) error {
	f := opts.f
	client, conn, err := opts.client(ctx)
	if err != nil {
		return err
	}
	req := opts.request
	node, err := client.ResolveNode(ctx, req)
	if err != nil {
		return err
	}
	// AWS's own command documents are known; only a document the user
	// names is read and its parameters checked before StartSession.
	if opts.Document != "" {
		if err := client.CheckDocument(ctx, req.Document, req.Parameters); err != nil {
			return err
		}
	}
	started, err := client.StartOn(ctx, node, req)
	if err != nil {
		return err
	}
	f.streams.Infof("Starting session with SessionId: %s (%s)", started.SessionID, session.NodeLabel(node))

	if opts.oneShot {
		res, err := client.Command(ctx, started, conn, f.streams.Out, f.streams.ErrOut)
		if err != nil {
			return sessionError(ctx, started, err)
		}
		if res.Reason != "" {
			f.streams.Warnf("session %s: %s", started.SessionID, strings.TrimSpace(res.Reason))
		}
		if !res.HasExitCode {
			return exitcode.New(exitcode.Other, "session %s ended without an exit code from the node", started.SessionID)
		}
		switch c := res.ExitCode; {
		case c == 0:
			return nil
		case c > 0 && c < 256:
			return exitcode.Silent(c)
		default:
			return exitcode.New(exitcode.Other, "the command exited with %d, which is not an exit status here", c)
		}
	}

	so := session.ShellOptions{In: f.streams.In, Out: f.streams.Out, InFd: -1, OutFd: -1, Status: f.streams.Infof}
	if opts.stdinFile != nil {
		so.InFd = int(opts.stdinFile.Fd())
	}
	if opts.stdoutFile != nil {
		so.OutFd = int(opts.stdoutFile.Fd())
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	resized := make(chan struct{}, 1)
	stopWinch := make(chan struct{})
	defer close(stopWinch)
	go func() {
		for {
			select {
			case <-winch:
				select {
				case resized <- struct{}{}:
				default:
				}
			case <-stopWinch:
				return
			}
		}
	}()
	so.Resized = resized
	if opts.Record != "" {
		cols, rows := session.TerminalSize(so.OutFd, so.InFd)
		rec, err := session.CreateRecording(opts.Record, session.RecordingHeader{
			Width: cols, Height: rows,
			Title:     "ssmctl session " + session.NodeLabel(node),
			Env:       map[string]string{"TERM": f.getenv("TERM")},
			SessionID: started.SessionID, Target: node.ID, Reason: opts.Reason,
		}, opts.RecordInput, f.now())
		if err != nil {
			_ = client.Terminate(context.WithoutCancel(ctx), started.SessionID)
			return usageErr(err)
		}
		so.Record = rec
		defer func() {
			if err := rec.Close(); err != nil {
				f.streams.Warnf("recording %s: %v", opts.Record, err)
			}
		}()
	}
	res, err := client.Shell(ctx, started, conn, so)
	if err != nil {
		return sessionError(ctx, started, err)
	}
	switch {
	case res.Left:
		f.streams.Infof("\nLeft session %s; it is terminated.", started.SessionID)
	case res.Reason != "":
		f.streams.Infof("\nSession %s ended: %s", started.SessionID, strings.TrimSpace(res.Reason))
	default:
		f.streams.Infof("\nExiting session with SessionId: %s.", started.SessionID)
	}
	return nil
}

// sessionError words a session's failure; an interrupted session has
// been terminated already.
func sessionError(ctx context.Context, s *session.Started, err error) error {
	if ctx.Err() != nil {
		return exitcode.New(exitcode.Interrupted, "interrupted; session %s terminated", s.SessionID)
	}
	var e *exitcode.Error
	if errors.As(err, &e) {
		return err
	}
	return exitcode.New(exitcode.Other, "session %s: %s", s.SessionID, redactToken(err.Error(), s.Token))
}

func redactToken(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<redacted>")
}
