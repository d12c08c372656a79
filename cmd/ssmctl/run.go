package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// invocationView is one node's result as ssmctl prints it. The JSON names
// are a stable contract (docs/run.md).
type invocationView struct {
	CommandID          string       `json:"commandId"`
	NodeID             string       `json:"nodeId"`
	Name               string       `json:"name"`
	Status             string       `json:"status"`
	StatusDetails      string       `json:"statusDetails"`
	ResponseCode       int          `json:"responseCode"`
	ExitCode           int          `json:"exitCode"`
	Stdout             string       `json:"stdout"`
	Stderr             string       `json:"stderr"`
	StdoutTruncated    bool         `json:"stdoutTruncated"`
	StderrTruncated    bool         `json:"stderrTruncated"`
	Start              *time.Time   `json:"start,omitempty"`
	End                *time.Time   `json:"end,omitempty"`
	DurationSeconds    float64      `json:"durationSeconds"`
	Rebooted           bool         `json:"rebooted"`
	StdoutURL          string       `json:"stdoutUrl,omitempty"`
	StderrURL          string       `json:"stderrUrl,omitempty"`
	CloudWatchLogGroup string       `json:"cloudWatchLogGroup,omitempty"`
	Plugins            []pluginView `json:"plugins,omitempty"`
}

// pluginView is one step of a multi-step document's result.
type pluginView struct {
	Name          string `json:"name"`
	Status        string `json:"status"`
	StatusDetails string `json:"statusDetails"`
	ResponseCode  int    `json:"responseCode"`
	Stdout        string `json:"stdout"`
	Stderr        string `json:"stderr"`
}

// runView is the document `run` prints with -o json|yaml.
type runView struct {
	CommandIDs      []string         `json:"commandIds"`
	Document        string           `json:"document"`
	DocumentVersion string           `json:"documentVersion,omitempty"`
	ExitCode        int              `json:"exitCode"`
	Invocations     []invocationView `json:"invocations"`
}

func newInvocationView(inv runcmd.Invocation) invocationView {
	v := invocationView{
		CommandID:          inv.CommandID,
		NodeID:             inv.NodeID,
		Name:               inv.Name,
		Status:             inv.Status,
		StatusDetails:      inv.StatusDetails,
		ResponseCode:       inv.ResponseCode,
		ExitCode:           inv.ExitCode(),
		Stdout:             inv.Stdout,
		Stderr:             inv.Stderr,
		StdoutTruncated:    inv.StdoutTruncated,
		StderrTruncated:    inv.StderrTruncated,
		DurationSeconds:    inv.Duration().Seconds(),
		Rebooted:           inv.Rebooted,
		CloudWatchLogGroup: inv.CloudWatchLogGroup,
	}
	if !inv.Start.IsZero() {
		t := inv.Start.UTC()
		v.Start = &t
	}
	if !inv.End.IsZero() {
		t := inv.End.UTC()
		v.End = &t
	}
	for _, p := range inv.Plugins {
		if v.StdoutURL == "" {
			v.StdoutURL, v.StderrURL = p.StdoutURL, p.StderrURL
		}
		if len(inv.Plugins) > 1 {
			v.Plugins = append(v.Plugins, pluginView{Name: p.Name, Status: p.Status, StatusDetails: p.StatusDetails,
				ResponseCode: p.ResponseCode, Stdout: p.Stdout, Stderr: p.Stderr})
		}
	}
	return v
}

type runOptions struct {
	f *factory

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

	// request is built by complete from the flags.
	request runcmd.Request

	client func(ctx context.Context) (*runcmd.Client, error)
	// notify and stopNotify subscribe to SIGINT and SIGTERM; tests
	// replace them to deliver a second interrupt.
	notify     func(c chan<- os.Signal)
	stopNotify func(c chan<- os.Signal)
	// cancelWait is how long an interrupted run waits for Cancelled.
	cancelWait time.Duration
}

// cloudWatchDefault is --cloudwatch-output's value without "=GROUP".
const cloudWatchDefault = "/aws/ssm/DOCUMENT"

func newRunCmd(f *factory, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{
		f:          f,
		client:     runcmdClient(f),
		notify:     func(c chan<- os.Signal) { signal.Notify(c, os.Interrupt, syscall.SIGTERM) },
		stopNotify: func(c chan<- os.Signal) { signal.Stop(c) },
		cancelWait: 10 * time.Second,
	}
	cmd := &cobra.Command{
		Use:   "run [TARGET...] [--target SPEC]... -- COMMAND [ARGS...]",
		Short: "Run a command on managed nodes and wait for every result",
		Long: `Run a shell command, a script or an SSM Command document on managed nodes
with Run Command, print each node's result as soon as it finishes, and exit
with a code a script can trust.

The command after -- is joined with spaces, as ssh does, and sent as one
line to AWS-RunShellScript, or AWS-RunPowerShellScript when every target is
Windows (mixed platforms need --document). --script FILE sends a file, - reads
it from stdin.

Tag and resource-group targets go to AWS as Targets, so AWS resolves them;
node IDs and names go out in batches of 50 node IDs, waited for as one run.

On a terminal, each node's output follows a header line and a summary table
ends the run on stderr; --prefix prints "NODE | line" instead, for logs.
-o json|yaml prints one document with every node's result.

Exit status: with one target, the remote exit code; with several, 1 if any
failed, else 124 if any timed out, else 194 if a reboot is pending, else 0.
Ctrl-C cancels the command on every node and exits 130.`,
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
			targets, command := args, []string(nil)
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				targets, command = args[:dash], args[dash:]
			}
			opts.Targets = append(slices.Clone(targets), opts.Targets...)
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
		ValidArgsFunction: completeTargets(f),
	}
	fl := cmd.Flags()
	addTargetFlag(cmd, f, &opts.Targets)
	fl.StringVar(&opts.Script, "script", "", "send the script in `FILE` (- reads stdin) instead of a command after --")
	fl.StringVar(&opts.Document, "document", "", "run the Command document `NAME[:VERSION]` instead of AWS-RunShellScript")
	fl.StringArrayVar(&opts.Params, "param", nil, "document parameter `key=value` (repeatable; repeat a key for a list)")
	fl.StringVar(&opts.MaxConcurrency, "max-concurrency", "50", "run on at most `N` or N% of the nodes at a time")
	fl.StringVar(&opts.MaxErrors, "max-errors", "0", "stop sending after more than `N` or N% of the nodes failed")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "execution timeout on each node (the document's executionTimeout, default 1h)")
	fl.DurationVar(&opts.DeliveryTimeout, "delivery-timeout", 0, "give up on nodes that have not started the command after this `duration` (default 1h)")
	fl.StringVar(&opts.Comment, "comment", "", "a comment shown with the command in AWS (at most 100 characters)")
	fl.StringVar(&opts.S3Bucket, "output-s3-bucket", "", "also write the full output to this S3 `bucket`")
	fl.StringVar(&opts.S3Prefix, "output-s3-prefix", "", "key `prefix` for --output-s3-bucket")
	fl.StringVar(&opts.CloudWatch, "cloudwatch-output", "", "also send the output to CloudWatch Logs, to log `GROUP` (default /aws/ssm/DOCUMENT)")
	fl.Lookup("cloudwatch-output").NoOptDefVal = cloudWatchDefault
	fl.StringVar(&opts.ServiceRole, "service-role", "", "IAM role `ARN` for SNS notifications")
	fl.StringVar(&opts.NotificationARN, "notification-arn", "", "SNS topic `ARN` notified of status changes")
	fl.BoolVar(&opts.Prefix, "prefix", false, `prefix every output line with "NODE | "`)
	fl.BoolVar(&opts.NoWait, "no-wait", false, "print the command ID(s) and exit without waiting")
	_ = cmd.RegisterFlagCompletionFunc("document", completeDocuments(f))
	cmd.AddCommand(newRunStatusCmd(f, nil), newRunListCmd(f, nil), newRunOutputCmd(f, nil), newRunCancelCmd(f, nil))
	return cmd
}

// complete reads the script and builds the request.
func (o *runOptions) complete(cmd *cobra.Command) error {
	specs, err := target.ParseAll(o.Targets, o.f.aliases())
	if err != nil {
		return err
	}
	params, err := parseParams(o.Params)
	if err != nil {
		return err
	}
	req := runcmd.Request{
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
		return usageErr(fmt.Errorf("give a command after -- or --script, not both"))
	case o.Script != "":
		script, err := readScript(o.Script, o.f.streams.In)
		if err != nil {
			return err
		}
		req.Commands = []string{script}
	case len(o.Command) > 0:
		req.Commands = []string{strings.Join(o.Command, " ")}
	}
	o.request = req
	return nil
}

// validate checks the request without I/O.
func (o *runOptions) validate() error {
	if len(o.Command) == 0 && o.Script == "" && o.Document == "" && len(o.request.Parameters["commands"]) == 0 {
		if len(o.Targets) > 1 {
			return usageErr(fmt.Errorf("no command: put it after --, e.g. ssmctl run %s -- %s", o.Targets[0], strings.Join(o.Targets[1:], " ")))
		}
		return usageErr(fmt.Errorf("no command: give one after --, or --script FILE, or --document"))
	}
	return o.request.Validate()
}

func readScript(path string, stdin io.Reader) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", usageErr(fmt.Errorf("--script: %w", err))
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageErr(fmt.Errorf("--script %s: empty script", path))
	}
	return string(b), nil
}

// parseParams reads key=value pairs; a key given again adds a list value.
// Values are never split at commas: commands often contain them.
func parseParams(raw []string) (map[string][]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErr(fmt.Errorf("invalid --param %q: want key=value", kv))
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// runcmdClient builds the Run Command client from the factory, lazily.
func runcmdClient(f *factory) func(ctx context.Context) (*runcmd.Client, error) {
	return func(ctx context.Context) (*runcmd.Client, error) {
		cfg, err := f.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		r, err := f.resolver(ctx)
		if err != nil {
			return nil, err
		}
		return &runcmd.Client{API: ssm.NewFromConfig(cfg), Nodes: r, Warn: func(m string) { f.streams.Warnf("%s", m) }}, nil
	}
}

func runRun(ctx context.Context, opts *runOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Sending command")
	run, err := client.Start(ctx, opts.request)
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	if opts.NoWait {
		return f.printer.Print(map[string][]string{"commandIds": run.CommandIDs}, func() output.Table {
			t := output.Table{Headers: []string{"COMMAND ID"}}
			for _, id := range run.CommandIDs {
				t.Rows = append(t.Rows, []string{id})
			}
			return t
		})
	}

	sig := make(chan os.Signal, 2)
	opts.notify(sig)
	defer opts.stopNotify(sig)

	w := newResultWriter(f, opts.Prefix, run.Nodes)
	res, err := waitRun(ctx, f, run, w)
	if err != nil {
		if ctx.Err() == nil {
			return err
		}
		return interruptRun(ctx, opts, run, sig)
	}
	return finishRun(f, w, run.CommandIDs, run.Document, run.DocumentVersion, res)
}

// waitRun waits with a spinner that counts nodes, printing each result as
// it arrives.
func waitRun(ctx context.Context, f *factory, run *runcmd.Run, w *resultWriter) (*runcmd.Result, error) {
	label := func(p runcmd.Progress) string {
		s := fmt.Sprintf("%d/%d done", p.Done, p.Total)
		if p.Failed > 0 {
			s += fmt.Sprintf(", %d failed", p.Failed)
		}
		return s
	}
	f.streams.StartProgress(label(runcmd.Progress{Total: len(run.Nodes)}))
	defer f.streams.StopProgress()
	opts := runcmd.WaitOptions{
		OnProgress: func(p runcmd.Progress) { w.lastLabel = label(p); f.streams.StartProgress(w.lastLabel) },
	}
	if !w.structured {
		// -o json|yaml prints one document at the end: no node's result is
		// needed sooner, and a large run is then listed once (docs/run.md).
		opts.OnResult = w.write
	}
	return run.Wait(ctx, opts)
}

// interruptRun cancels what the run sent after the first Ctrl-C, waits a
// little for Cancelled, and gives up at once on a second Ctrl-C.
func interruptRun(ctx context.Context, opts *runOptions, run *runcmd.Run, sig <-chan os.Signal) error {
	f := opts.f
	// The first interrupt, which cancelled ctx, also comes to sig, but the
	// two deliveries race: wait a moment for it, so it is not taken for a
	// second one.
	select {
	case <-sig:
	case <-time.After(time.Second):
	}
	f.streams.Infof("Interrupted: cancelling %s (Ctrl-C again to stop waiting)", strings.Join(run.CommandIDs, ", "))
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	again := make(chan struct{})
	go func() {
		select {
		case <-sig:
			close(again)
			cancel()
		case <-cctx.Done():
		}
	}()
	res, err := run.Cancel(cctx, opts.cancelWait)
	select {
	case <-again:
		return exitcode.New(exitcode.Interrupted, "interrupted again: not waiting for %s to be cancelled", strings.Join(run.CommandIDs, ", "))
	default:
	}
	if err != nil {
		return exitcode.New(exitcode.Interrupted, "interrupted; cancelling failed: %s", exitcode.Message(err))
	}
	open := 0
	for _, inv := range res.Invocations {
		if !inv.Done() {
			open++
		}
	}
	if open > 0 {
		return exitcode.New(exitcode.Interrupted, "interrupted; cancel requested, %d node(s) not yet cancelled", open)
	}
	return exitcode.New(exitcode.Interrupted, "interrupted; cancelled %s", strings.Join(run.CommandIDs, ", "))
}

// finishRun prints the document or the summary and returns the run's exit
// code as an error.
func finishRun(f *factory, w *resultWriter, ids []string, doc, version string, res *runcmd.Result) error {
	f.streams.StopProgress()
	if w.structured {
		if err := finishRunDocument(f, ids, doc, version, res); err != nil {
			return err
		}
	} else if f.streams.IsStderrTTY() && !f.streams.Quiet() {
		printSummary(f, res.Invocations)
	}
	return runExit(res)
}

// runExit is the exit error of a finished run: a remote exit code passes
// through silently; other outcomes say in one line what happened.
func runExit(res *runcmd.Result) error {
	if res.ExitCode == 0 {
		return nil
	}
	if len(res.Invocations) == 0 {
		return exitcode.Usagef("no managed node received the command")
	}
	if len(res.Invocations) == 1 {
		inv := res.Invocations[0]
		if inv.State() == runcmd.StateFailed || inv.State() == runcmd.StateSuccess {
			return exitcode.Silent(res.ExitCode)
		}
		return exitcode.New(res.ExitCode, "%s: %s", nodeLabel(inv), statusLabel(inv))
	}
	var failed, timedOut, reboot, notRun []string
	for _, inv := range res.Invocations {
		switch c := inv.ExitCode(); {
		case inv.State() == runcmd.StateTerminated:
			// Cancelled/Terminated: never sent, because the command
			// exceeded its MaxErrors. Not a failure of that node.
			notRun = append(notRun, nodeLabel(inv))
		case c == exitcode.Timeout:
			timedOut = append(timedOut, nodeLabel(inv))
		case c == exitcode.RebootPending || c == exitcode.RebootPendingWindows:
			reboot = append(reboot, nodeLabel(inv))
		case c != 0:
			failed = append(failed, nodeLabel(inv))
		}
	}
	n := len(res.Invocations)
	switch res.ExitCode {
	case exitcode.Timeout:
		return exitcode.New(res.ExitCode, "%d of %d nodes timed out: %s", len(timedOut), n, fewNames(timedOut))
	case exitcode.RebootPending, exitcode.RebootPendingWindows:
		return exitcode.New(res.ExitCode, "%d of %d nodes need a reboot: %s", len(reboot), n, fewNames(reboot))
	}
	var parts []string
	if len(failed) > 0 || len(notRun) == 0 {
		parts = append(parts, fmt.Sprintf("%d of %d nodes failed: %s", len(failed), n, fewNames(failed)))
	}
	if len(failed) == 0 && len(timedOut) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d nodes timed out: %s", len(timedOut), n, fewNames(timedOut)))
	}
	if len(notRun) > 0 {
		parts = append(parts, fmt.Sprintf("%d not run (MaxErrors exceeded): %s", len(notRun), fewNames(notRun)))
	}
	return exitcode.New(res.ExitCode, "%s", strings.Join(parts, "; "))
}

func fewNames(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}

func nodeLabel(inv runcmd.Invocation) string {
	if inv.Name != "" && inv.Name != inv.NodeID {
		return inv.Name + " (" + inv.NodeID + ")"
	}
	return inv.NodeID
}

// statusLabel is the status with the details that matter.
func statusLabel(inv runcmd.Invocation) string {
	s := inv.Status
	if d := inv.StatusDetails; d != "" && !strings.EqualFold(strings.ReplaceAll(d, " ", ""), s) {
		s += " (" + d + ")"
	}
	return s
}

// resultWriter prints each node's result as it arrives: with a header line
// on a terminal, with "NODE | " before every line under --prefix, as is
// otherwise. Structured formats collect instead.
type resultWriter struct {
	f          *factory
	structured bool
	header     bool
	prefix     bool
	labels     map[string]string // node ID -> prefix label
	lastLabel  string
}

func newResultWriter(f *factory, prefix bool, nodes []target.Node) *resultWriter {
	format := f.printer.Format()
	w := &resultWriter{
		f:          f,
		structured: format == output.JSON || format == output.YAML || f.global.Query != "",
		prefix:     prefix,
		header:     !prefix && f.streams.IsStdoutTTY(),
		labels:     map[string]string{},
	}
	// Names label lines when they are unique; IDs otherwise.
	count := map[string]int{}
	for _, n := range nodes {
		count[n.Name]++
	}
	for _, n := range nodes {
		if n.Name != "" && count[n.Name] == 1 {
			w.labels[n.ID] = n.Name
		}
	}
	return w
}

func (w *resultWriter) label(inv runcmd.Invocation) string {
	if l, ok := w.labels[inv.NodeID]; ok {
		return l
	}
	if len(w.labels) == 0 && inv.Name != "" {
		return inv.Name
	}
	return inv.NodeID
}

func (w *resultWriter) write(inv runcmd.Invocation) {
	if w.structured {
		return
	}
	f := w.f
	f.streams.StopProgress()
	defer func() {
		if w.lastLabel != "" {
			f.streams.StartProgress(w.lastLabel)
		}
	}()
	out, errOut := bufio.NewWriter(f.streams.Out), bufio.NewWriter(f.streams.ErrOut)
	defer out.Flush()
	defer errOut.Flush()
	if w.header {
		line := fmt.Sprintf("=== %s: %s", nodeLabel(inv), statusLabel(inv))
		if inv.ResponseCode >= 0 {
			line += fmt.Sprintf(", exit %d", inv.ResponseCode)
		}
		if d := inv.Duration(); d > 0 {
			line += ", " + d.Round(10*time.Millisecond).String()
		}
		if inv.Rebooted {
			line += ", rebooted"
		}
		fmt.Fprintln(out, line)
		out.Flush()
	}
	if w.prefix {
		p := w.label(inv) + " | "
		writePrefixed(out, p, inv.Stdout)
		out.Flush()
		writePrefixed(errOut, p, inv.Stderr)
		if inv.Rebooted {
			fmt.Fprintf(errOut, "%srebooted during the command\n", p)
		}
	} else {
		writeEnsuringNewline(out, inv.Stdout)
		out.Flush()
		writeEnsuringNewline(errOut, inv.Stderr)
	}
	errOut.Flush()
	if inv.StdoutTruncated {
		f.streams.Warnf("%s: stdout was cut at %d characters; `ssmctl run output %s --node %s` shows where the full output is, if any", nodeLabel(inv), runcmd.StdoutLimit, inv.CommandID, inv.NodeID)
	}
	if inv.StderrTruncated {
		f.streams.Warnf("%s: stderr was cut at %d characters", nodeLabel(inv), runcmd.StderrLimit)
	}
}

func writePrefixed(w io.Writer, prefix, s string) {
	if s == "" {
		return
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n") {
		fmt.Fprintf(w, "%s%s\n", prefix, strings.TrimSuffix(line, "\n"))
	}
}

func writeEnsuringNewline(w io.Writer, s string) {
	if s == "" {
		return
	}
	io.WriteString(w, s)
	if !strings.HasSuffix(s, "\n") {
		io.WriteString(w, "\n")
	}
}

// printSummary writes the per-node table on stderr.
func printSummary(f *factory, invs []runcmd.Invocation) {
	s := &output.Streams{Out: f.streams.ErrOut, ErrOut: f.streams.ErrOut}
	p, err := output.NewPrinter(s, output.TableFormat, "")
	if err != nil {
		return
	}
	_ = p.Print(nil, func() output.Table {
		t := output.Table{Headers: []string{"NODE", "NAME", "STATUS", "EXIT", "DURATION"}, NoTruncate: []int{0, 2, 3}}
		for _, inv := range invs {
			d := ""
			if inv.Duration() > 0 {
				d = inv.Duration().Round(10 * time.Millisecond).String()
			}
			status := statusLabel(inv)
			if inv.Rebooted {
				status += ", rebooted"
			}
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, status, fmt.Sprint(inv.ExitCode()), d})
		}
		return t
	})
}

// commandIDPattern is the shape of a command ID (36 characters, a UUID).
func checkCommandID(cmd *cobra.Command, id string) error {
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		return newUsageError(cmd, fmt.Errorf("invalid command ID %q: want the 36-character ID that run --no-wait prints", id))
	}
	return nil
}

// commandView is a command as `run list` and `run status` print it.
type commandView struct {
	CommandID       string           `json:"commandId"`
	Document        string           `json:"document"`
	DocumentVersion string           `json:"documentVersion,omitempty"`
	Comment         string           `json:"comment,omitempty"`
	Status          string           `json:"status"`
	StatusDetails   string           `json:"statusDetails"`
	Requested       *time.Time       `json:"requested,omitempty"`
	TargetCount     int              `json:"targetCount"`
	CompletedCount  int              `json:"completedCount"`
	ErrorCount      int              `json:"errorCount"`
	InstanceIDs     []string         `json:"instanceIds,omitempty"`
	Targets         []string         `json:"targets,omitempty"`
	MaxConcurrency  string           `json:"maxConcurrency"`
	MaxErrors       string           `json:"maxErrors"`
	Invocations     []invocationView `json:"invocations,omitempty"`
}

func newCommandView(c runcmd.Command) commandView {
	v := commandView{
		CommandID: c.ID, Document: c.Document, DocumentVersion: c.DocumentVersion, Comment: c.Comment,
		Status: c.Status, StatusDetails: c.StatusDetails, TargetCount: c.TargetCount,
		CompletedCount: c.CompletedCount, ErrorCount: c.ErrorCount, InstanceIDs: c.InstanceIDs,
		Targets: c.Targets, MaxConcurrency: c.MaxConcurrency, MaxErrors: c.MaxErrors,
	}
	if !c.Requested.IsZero() {
		t := c.Requested.UTC()
		v.Requested = &t
	}
	return v
}

type runStatusOptions struct {
	f         *factory
	CommandID string
	Wait      bool
	client    func(ctx context.Context) (*runcmd.Client, error)
}

func newRunStatusCmd(f *factory, runF func(*runStatusOptions) error) *cobra.Command {
	opts := &runStatusOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:   "status COMMAND_ID",
		Short: "Show a command's status on each node",
		Long: `Show the status of a command sent earlier, node by node. With --wait, wait
until every node is done and exit as run would (the remote exit code for one
node; 1, 124, 194 or 0 for several).`,
		Example: `  ssmctl run status 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run status "$id" --wait -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runStatusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait until every node is done and exit with the run's exit code")
	return cmd
}

func runStatusRun(ctx context.Context, opts *runStatusOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	c, err := client.Describe(ctx, opts.CommandID)
	if err != nil {
		return err
	}
	var invs []runcmd.Invocation
	var res *runcmd.Result
	if opts.Wait {
		run, err := client.Attach(ctx, opts.CommandID)
		if err != nil {
			return err
		}
		w := &resultWriter{f: f, structured: true}
		if res, err = waitRun(ctx, f, run, w); err != nil {
			return err
		}
		invs = res.Invocations
		if c, err = client.Describe(ctx, opts.CommandID); err != nil {
			return err
		}
	} else if invs, err = client.Invocations(ctx, opts.CommandID, "", false); err != nil {
		return err
	}
	view := newCommandView(*c)
	view.Invocations = []invocationView{}
	for _, inv := range invs {
		v := newInvocationView(inv)
		v.Stdout, v.Stderr, v.Plugins = "", "", nil // status, not output: see run output
		view.Invocations = append(view.Invocations, v)
	}
	err = f.printer.Print(view, func() output.Table {
		t := output.Table{Headers: []string{"NODE", "NAME", "STATUS", "EXIT", "START", "DURATION"}, NoTruncate: []int{0, 2, 3}}
		for _, inv := range invs {
			exit, start, d := "", "", ""
			if inv.Done() {
				exit = fmt.Sprint(inv.ExitCode())
			}
			if !inv.Start.IsZero() {
				start = inv.Start.UTC().Format(time.RFC3339)
			}
			if inv.Duration() > 0 {
				d = inv.Duration().Round(10 * time.Millisecond).String()
			}
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, statusLabel(inv), exit, start, d})
		}
		return t
	})
	if err != nil || res == nil {
		return err
	}
	return runExit(res)
}

type runListOptions struct {
	f       *factory
	Targets []string
	Status  string
	Since   time.Duration
	client  func(ctx context.Context) (*runcmd.Client, error)
}

func newRunListCmd(f *factory, runF func(*runListOptions) error) *cobra.Command {
	opts := &runListOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List recent commands",
		Long: `List the commands sent in this account and region, newest first (AWS keeps
them for 30 days), optionally only those sent to the given targets, with a
status, or sent in the last DURATION.`,
		Example: `  ssmctl run list --since 24h
  ssmctl run list --target web-1 --status Failed
  ssmctl run list -o json --query '[].commandId'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Status != "" {
				found := ""
				for _, s := range runcmd.CommandStatuses {
					if strings.EqualFold(s, opts.Status) {
						found = s
					}
				}
				if found == "" {
					return newUsageError(cmd, fmt.Errorf("invalid --status %q: want one of %s", opts.Status, strings.Join(runcmd.CommandStatuses, ", ")))
				}
				opts.Status = found
			}
			if opts.Since < 0 {
				return newUsageError(cmd, fmt.Errorf("invalid --since %s: want a positive duration", opts.Since))
			}
			if runF != nil {
				return runF(opts)
			}
			return runListRun(cmd.Context(), opts)
		},
	}
	addTargetFlag(cmd, f, &opts.Targets)
	cmd.Flags().StringVar(&opts.Status, "status", "", "only commands with this `status`: "+strings.Join(runcmd.CommandStatuses, ", "))
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "only commands sent in the last `duration` (e.g. 2h)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(runcmd.CommandStatuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runListRun(ctx context.Context, opts *runListOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	filter := runcmd.ListFilter{Status: opts.Status}
	if opts.Since > 0 {
		filter.Since = f.now().Add(-opts.Since)
	}
	if len(opts.Targets) > 0 {
		specs, err := target.ParseAll(opts.Targets, f.aliases())
		if err != nil {
			return err
		}
		nodes, err := client.Nodes.Resolve(ctx, target.Query{Specs: specs, WithNames: true})
		if err != nil {
			return err
		}
		for _, n := range nodes {
			filter.NodeIDs = append(filter.NodeIDs, n.ID)
		}
	}
	f.streams.StartProgress("Listing commands")
	cmds, err := client.List(ctx, filter)
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	views := make([]commandView, 0, len(cmds))
	for _, c := range cmds {
		views = append(views, newCommandView(c))
	}
	now, tty := f.now(), f.streams.IsStdoutTTY()
	return f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"COMMAND ID", "DOCUMENT", "STATUS", "TARGETS", "DONE", "ERRORS", "REQUESTED", "COMMENT"}, NoTruncate: []int{0, 2}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.CommandID, v.Document, v.Status, fmt.Sprint(v.TargetCount), fmt.Sprint(v.CompletedCount),
				fmt.Sprint(v.ErrorCount), timeLabel(v.Requested, now, tty), v.Comment})
		}
		return t
	})
}

type runOutputOptions struct {
	f         *factory
	CommandID string
	Node      string
	Prefix    bool
	client    func(ctx context.Context) (*runcmd.Client, error)
}

func newRunOutputCmd(f *factory, runF func(*runOutputOptions) error) *cobra.Command {
	opts := &runOutputOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:   "output COMMAND_ID",
		Short: "Print a command's output on each node",
		Long: `Print the output of a command sent earlier: up to 24,000 characters of
stdout and 8,000 of stderr per node, which is what AWS keeps. Output that was
cut says so, and where the full output is when the command sent it to S3 or
CloudWatch Logs.`,
		Example: `  ssmctl run output 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run output "$id" --node i-0123456789abcdef0 > web-1.log
  ssmctl run output "$id" -o json --query 'invocations[?exitCode!=` + "`0`" + `].name'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			if opts.Node != "" {
				if s, err := target.Parse(opts.Node); err != nil || s.Kind != target.KindID {
					return newUsageError(cmd, fmt.Errorf("invalid --node %q: want a node ID", opts.Node))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runOutputRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Node, "node", "", "only the output of this node `ID`")
	cmd.Flags().BoolVar(&opts.Prefix, "prefix", false, `prefix every output line with "NODE | "`)
	return cmd
}

func runOutputRun(ctx context.Context, opts *runOutputOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	c, err := client.Describe(ctx, opts.CommandID)
	if err != nil {
		return err
	}
	invs, err := client.Invocations(ctx, opts.CommandID, opts.Node, true)
	if err != nil {
		return err
	}
	w := newResultWriter(f, opts.Prefix, nil)
	for _, inv := range invs {
		if inv.Done() {
			w.write(inv)
		}
		if inv.StdoutTruncated || inv.StderrTruncated {
			if where := fullOutputAt(*c, inv); where != "" {
				f.streams.Infof("%s: full output: %s", nodeLabel(inv), where)
			} else {
				f.streams.Infof("%s: the full output was not kept (send with --output-s3-bucket or --cloudwatch-output to keep it)", nodeLabel(inv))
			}
		}
	}
	if w.structured {
		res := &runcmd.Result{Invocations: invs, ExitCode: runcmd.ExitCode(invs)}
		return finishRunDocument(f, []string{c.ID}, c.Document, c.DocumentVersion, res)
	}
	return nil
}

func finishRunDocument(f *factory, ids []string, doc, version string, res *runcmd.Result) error {
	view := runView{CommandIDs: ids, Document: doc, DocumentVersion: version, ExitCode: res.ExitCode, Invocations: []invocationView{}}
	for _, inv := range res.Invocations {
		view.Invocations = append(view.Invocations, newInvocationView(inv))
	}
	return f.printer.Print(view, nil)
}

// fullOutputAt says where the full output of an invocation is: its S3
// object, or its CloudWatch Logs group and stream.
func fullOutputAt(c runcmd.Command, inv runcmd.Invocation) string {
	var where []string
	for _, p := range inv.Plugins {
		if p.StdoutURL != "" {
			where = append(where, p.StdoutURL)
		}
	}
	if len(where) == 0 && c.OutputS3Bucket != "" {
		prefix := strings.TrimSuffix(c.OutputS3Prefix, "/")
		if prefix != "" {
			prefix += "/"
		}
		where = append(where, fmt.Sprintf("s3://%s/%s%s/%s/", c.OutputS3Bucket, prefix, c.ID, inv.NodeID))
	}
	if c.CloudWatchOutput {
		where = append(where, fmt.Sprintf("CloudWatch Logs group %s, streams %s/%s/...", c.CloudWatchLogGroup, c.ID, inv.NodeID))
	}
	return strings.Join(where, "; ")
}

type runCancelOptions struct {
	f         *factory
	CommandID string
	Nodes     []string
	client    func(ctx context.Context) (*runcmd.Client, error)
}

func newRunCancelCmd(f *factory, runF func(*runCancelOptions) error) *cobra.Command {
	opts := &runCancelOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:   "cancel COMMAND_ID",
		Short: "Cancel a command on every node, or on some",
		Long: `Ask AWS to cancel a command sent earlier, on every node or on the nodes
given with --node. Nodes that already finished are not affected.`,
		Example: `  ssmctl run cancel 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run cancel "$id" --node i-0123456789abcdef0 --node i-0fedcba9876543210`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			for _, n := range opts.Nodes {
				if s, err := target.Parse(n); err != nil || s.Kind != target.KindID {
					return newUsageError(cmd, fmt.Errorf("invalid --node %q: want a node ID", n))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runCancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Nodes, "node", nil, "cancel on this node `ID` only (repeatable)")
	return cmd
}

func runCancelRun(ctx context.Context, opts *runCancelOptions) error {
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	if err := client.CancelCommand(ctx, opts.CommandID, opts.Nodes); err != nil {
		return err
	}
	opts.f.streams.Infof("Cancellation of %s requested", opts.CommandID)
	return nil
}
