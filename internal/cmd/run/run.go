// Package run is `ssmctl run` and its subcommands: send a command with
// Run Command and wait for it, and look at, list and cancel commands sent.
package run

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// RunOptions is what run uses.
type RunOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*runcmd.Client, error)
	// OpsItems opens the OpsItem of --opsitem-on-failure.
	OpsItems func(ctx context.Context) (*opsitems.Client, error)
	// Notify and StopNotify subscribe to the signals that interrupt
	// (SIGINT, SIGTERM, SIGHUP, SIGPIPE); tests replace them to deliver a
	// second interrupt.
	Notify     func(c chan<- os.Signal)
	StopNotify func(c chan<- os.Signal)
	// CancelWait is how long an interrupted run waits for Cancelled.
	CancelWait time.Duration

	Targets         []string
	Command         []string
	Script          string
	Document        string
	Params          []string
	MaxConcurrency  string
	MaxErrors       string
	Timeout         time.Duration
	DeliveryTimeout time.Duration
	Comment         string
	S3Bucket        string
	S3Prefix        string
	CloudWatch      string
	ServiceRole     string
	NotificationARN string
	Prefix          bool
	NoWait          bool
	Ping            []string
	Platform        string
	Gate            *cmdutil.CalendarGate
	// OpsItemOnFailure opens an OpsItem when nodes failed.
	OpsItemOnFailure bool

	// Request is built by complete from the flags.
	Request runcmd.Request
}

// cloudWatchDefault is --cloudwatch-output's value without "=GROUP".
const cloudWatchDefault = "/aws/ssm/DOCUMENT"

// NewCmdRun is `ssmctl run` with its subcommands.
func NewCmdRun(f *cmdutil.Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{
		IO:         f.IO,
		Printer:    f.Printer,
		Aliases:    f.Aliases,
		Client:     f.Clients().RunCommand,
		Notify:     cmdutil.NotifyInterrupts,
		StopNotify: cmdutil.StopInterrupts,
		CancelWait: 10 * time.Second,
	}
	opts.OpsItems = f.Clients().OpsItems
	cmd := &cobra.Command{
		Use:   "run [TARGET...] [--target SPEC]... -- COMMAND [ARGS...]",
		Short: "Run a command on managed nodes and wait for every result",
		Long: `Run a shell command, a script or an SSM Command document on managed nodes
with Run Command, print each node's result as soon as it finishes, and exit
with a code a script can trust.

The command after -- goes to AWS-RunShellScript, or AWS-RunPowerShellScript
when every target is Windows (mixed platforms need --document or
--platform). One word is a shell command line as it stands (pipes and $VARS
work, as with ssh); several words are each quoted for the remote shell, so
every one reaches the command as one argument (the same rule as session).
--script FILE sends a file, - reads it from stdin; a script with an
interpreter line (#!/bin/bash, #!/usr/bin/env python3) runs with that
interpreter.

Tag and resource-group targets go to AWS as Targets, so AWS resolves them;
node IDs and names go out in batches of 50 node IDs, waited for as one run.
--ping Online and --platform keep only some of the nodes the targets match
(their IDs are sent then). Targets that are not Online are named in a
warning before sending: AWS holds their command until its delivery timeout,
and reports them DeliveryTimedOut only when delivery plus execution timeout
have passed, so the run waits that long for them.

On a terminal, each node's output follows a header line and a summary table
ends the run on stderr; --prefix prints "NODE | line" instead, for logs.
-o json|yaml prints one document with every node's result.

Exit status: with one target, the remote exit code; with several, 1 if any
failed, else 124 if any timed out, else 194 if a reboot is pending, else 0.
Ctrl-C cancels the command on every node and exits 130; SIGTERM, SIGHUP and
SIGPIPE (the reader of the output went away) do the same and exit 143, 129
and 141. When the cancel cannot be confirmed it exits 255, naming what may
still run. A command is never sent twice: a send whose answer is lost is
looked up by the mark ssmctl adds to its comment (ssmctl:RUN.BATCH) before
it is sent again.`,
		Example: `  # Uptime of one node; its exit code is ssmctl's
  ssmctl run web-1 -- uptime

  # Every production web node, 10% at a time, stop after 2 failures
  ssmctl run tag:Env=prod tag:Role=web --max-concurrency 10% --max-errors 2 -- systemctl restart nginx

  # A local script, with a 5-minute execution timeout, output prefixed for grep
  ssmctl run 'web-*' --script ./deploy.sh --timeout 5m --prefix

  # A custom document with parameters (repeat --param for list values)
  ssmctl run @db --document MyOrg-Backup:3 --param bucket=backups --param tables=users --param tables=orders

  # Send and return at once; check later
  id=$(ssmctl run group:batch --no-wait -- ./nightly.sh)
  ssmctl run status "$id" --wait`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, command, _ := cmdutil.SplitAtDash(cmd, args)
			opts.Targets = append(targets, opts.Targets...)
			opts.Command = command
			if err := opts.complete(cmd); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	fl := cmd.Flags()
	cmdutil.AddTargetFlag(cmd, f, &opts.Targets)
	fl.StringVar(&opts.Script, "script", "", "send the script in `FILE` (- reads stdin) instead of a command after --")
	fl.StringVar(&opts.Document, "document", "", "run the Command document `NAME[:VERSION]` instead of AWS-RunShellScript")
	fl.StringArrayVar(&opts.Params, "param", nil, "document parameter `key=value` (repeatable; repeat a key for a list)")
	fl.StringVar(&opts.MaxConcurrency, "max-concurrency", "50", "run on at most `N` or N% of the nodes at a time")
	fl.StringVar(&opts.MaxErrors, "max-errors", "0", "stop sending after more than `N` or N% of the nodes failed")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "execution timeout on each node, 5s to 48h in whole seconds (the document's executionTimeout, default 1h)")
	fl.DurationVar(&opts.DeliveryTimeout, "delivery-timeout", 0, "a node that has not started the command this `duration` after it was sent never runs it (DeliveryTimedOut); 30s to 720h, default 1h")
	fl.StringVar(&opts.Comment, "comment", "", "a comment shown with the command in AWS (at most 100 characters)")
	fl.StringVar(&opts.S3Bucket, "output-s3-bucket", "", "also write the full output to this S3 `bucket`")
	fl.StringVar(&opts.S3Prefix, "output-s3-prefix", "", "key `prefix` for --output-s3-bucket")
	fl.StringVar(&opts.CloudWatch, "cloudwatch-output", "", "also send the output to CloudWatch Logs, to log `GROUP` (default /aws/ssm/DOCUMENT)")
	fl.Lookup("cloudwatch-output").NoOptDefVal = cloudWatchDefault
	fl.StringVar(&opts.ServiceRole, "service-role", "", "IAM role `ARN` for SNS notifications")
	fl.StringVar(&opts.NotificationARN, "notification-arn", "", "SNS topic `ARN` notified of status changes")
	fl.BoolVar(&opts.Prefix, "prefix", false, `prefix every output line with "NODE | "`)
	fl.BoolVar(&opts.NoWait, "no-wait", false, "print the command ID(s) and exit without waiting")
	cmdutil.AddPingFlag(cmd, &opts.Ping, "the targets")
	fl.StringVar(&opts.Platform, "platform", "", "only the targets of this `platform`: Linux, Windows or MacOS")
	fl.BoolVar(&opts.OpsItemOnFailure, "opsitem-on-failure", false, "when nodes fail, open one OpsCenter OpsItem for the run (source ssmctl)")
	_ = cmd.RegisterFlagCompletionFunc("platform", cobra.FixedCompletions(runcmd.Platforms, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("document", cmdutil.CompleteDocuments(f))
	opts.Gate = cmdutil.AddCalendarGateFlags(cmd, f)
	cmd.AddCommand(NewCmdStatus(f, nil), NewCmdList(f, nil), NewCmdOutput(f, nil), NewCmdCancel(f, nil))
	return cmd
}

// complete reads the script and builds the request.
func (o *RunOptions) complete(cmd *cobra.Command) error {
	// A zero timeout in the request is the default; typed, it is checked.
	// A value out of range is the flag's, or the config file's when it
	// came from there (Factory.Blame: exit 253 naming file and key).
	if err := cmdutil.RangeFlagError(cmd.Flags(), runcmd.CheckExecutionTimeout(o.Timeout), runcmd.CheckDeliveryTimeout(o.DeliveryTimeout)); err != nil {
		return err
	}
	specs, err := target.ParseAll(o.Targets, o.Aliases())
	if err != nil {
		return err
	}
	params, err := cmdutil.ParseParams(o.Params)
	if err != nil {
		return err
	}
	// --ping and --platform as nodes takes them: any case, AWS's spelling.
	ping, err := cmdutil.Ping(o.Ping)
	if err != nil {
		return err
	}
	platform := o.Platform
	if platform != "" {
		if platform, err = cmdutil.OneOf("platform", platform, runcmd.Platforms); err != nil {
			return err
		}
	}
	req := runcmd.Request{
		Ping:               ping,
		Platform:           platform,
		Specs:              specs,
		Document:           o.Document,
		Parameters:         params,
		MaxConcurrency:     o.MaxConcurrency,
		MaxErrors:          o.MaxErrors,
		ExecutionTimeout:   o.Timeout,
		DeliveryTimeout:    o.DeliveryTimeout,
		Comment:            o.Comment,
		OutputS3Bucket:     o.S3Bucket,
		OutputS3Prefix:     o.S3Prefix,
		CloudWatchOutput:   cmd.Flags().Changed("cloudwatch-output"),
		ServiceRoleARN:     o.ServiceRole,
		NotificationARN:    o.NotificationARN,
		CloudWatchLogGroup: o.CloudWatch,
	}
	if req.CloudWatchLogGroup == cloudWatchDefault {
		req.CloudWatchLogGroup = ""
	}
	switch {
	case o.Script != "" && len(o.Command) > 0:
		return cmdutil.FlagErrorf("give a command after -- or --script, not both")
	case o.Script != "":
		script, err := readScript(o.Script, o.IO.In)
		if err != nil {
			return err
		}
		req.Script = script
	case len(o.Command) > 0:
		req.Args = o.Command
	}
	o.Request = req
	return nil
}

// validate checks the request without I/O.
func (o *RunOptions) validate() error {
	if len(o.Command) == 0 && o.Script == "" && o.Document == "" && len(o.Request.Parameters["commands"]) == 0 {
		if len(o.Targets) > 1 {
			return cmdutil.FlagErrorf("no command: put it after --, e.g. ssmctl run %s -- %s", o.Targets[0], strings.Join(o.Targets[1:], " "))
		}
		// One line, no pointer to --help: the line says what to give.
		return exitcode.New(exitcode.Usage, "no command: give one after --, or --script FILE, or --document")
	}
	if o.OpsItemOnFailure && o.NoWait {
		return cmdutil.FlagErrorf("--opsitem-on-failure needs the run's results: drop --no-wait")
	}
	return o.Request.Validate()
}

// readScript reads --script; what is wrong with the file is said in one
// line, with no pointer to --help.
func readScript(path string, stdin io.Reader) (string, error) {
	b, err := cmdutil.ReadFileOrStdin(path, stdin)
	if err != nil {
		return "", exitcode.New(exitcode.Usage, "--script: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", exitcode.New(exitcode.Usage, "--script %s: empty script", path)
	}
	return string(b), nil
}

func runRun(ctx context.Context, opts *RunOptions) error {
	// The change calendars first: nothing is resolved or sent while one is
	// closed. 100 is Run Command's Comment limit (the SSM API model).
	var err error
	if opts.Request.Comment, err = opts.Gate.Check(ctx, opts.Request.Comment, 100); err != nil {
		return err
	}
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	// Subscribed before sending: an interrupt while sending stops it and
	// cancels what was sent.
	sig := make(chan os.Signal, 2)
	opts.Notify(sig)
	defer opts.StopNotify(sig)

	run, err := cmdutil.StartRun(ctx, opts.IO, client, opts.Request, sig, opts.CancelWait)
	if err != nil {
		return err
	}
	if opts.NoWait {
		return opts.Printer().Print(map[string][]string{"commandIds": run.CommandIDs}, func() output.Table {
			t := output.Table{Headers: []string{"COMMAND ID"}}
			for _, id := range run.CommandIDs {
				t.Rows = append(t.Rows, []string{id})
			}
			return t
		})
	}

	w := cmdutil.NewResultWriter(opts.IO, opts.Printer(), opts.Prefix, run.Nodes)
	res, err := cmdutil.WaitResults(ctx, opts.IO, run, w, sig, opts.CancelWait)
	if err != nil {
		return err
	}
	if opts.OpsItemOnFailure {
		openOpsItem(ctx, opts.IO, opts.OpsItems, run.CommandIDs, run.Document, res)
	}
	return finishRun(opts.IO, opts.Printer(), w, run.CommandIDs, run.Document, run.DocumentVersion, res)
}
