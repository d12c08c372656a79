package patch

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// What scan and install share: AWS-RunPatchBaseline sent and waited for
// with the live results of `run` (internal/cmdutil/runresults.go), then
// the nodes' refreshed compliance.

// execOptions is what scan and install use.
type execOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Aliases func() map[string][]string
	RunCmd  func(ctx context.Context) (*runcmd.Client, error)
	Patch   func(ctx context.Context) (*patch.Client, error)
	// Notify and StopNotify subscribe to the signals that interrupt.
	Notify     func(c chan<- os.Signal)
	StopNotify func(c chan<- os.Signal)
	CancelWait time.Duration
	// Gate is install's --change-calendar (nil for scan, which changes
	// nothing on the nodes).
	Gate *cmdutil.CalendarGate

	Targets        []string
	MaxConcurrency string
	MaxErrors      string
	Ping           []string
	Prefix         bool
	// DeliveryTimeout is --delivery-timeout, as run's.
	DeliveryTimeout time.Duration

	// Request is built from the flags.
	Request patch.RunRequest
}

func newExecOptions(f *cmdutil.Factory) execOptions {
	return execOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, RunCmd: f.Clients().RunCommand, Patch: f.Clients().Patch,
		Notify: cmdutil.NotifyInterrupts, StopNotify: cmdutil.StopInterrupts, CancelWait: 10 * time.Second}
}

func (o *execOptions) addFlags(cmd *cobra.Command, f *cmdutil.Factory) {
	fl := cmd.Flags()
	cmdutil.AddTargetFlag(cmd, f, &o.Targets)
	fl.StringVar(&o.MaxConcurrency, "max-concurrency", "50", "patch at most `N` or N% of the nodes at a time")
	fl.StringVar(&o.MaxErrors, "max-errors", "0", "stop sending after more than `N` or N% of the nodes failed")
	fl.BoolVar(&o.Prefix, "prefix", false, `prefix every output line with "NODE | "`)
	cmdutil.AddPingFlag(cmd, &o.Ping, "the targets")
	fl.DurationVar(&o.DeliveryTimeout, "delivery-timeout", 0, "a node that has not started patching this `duration` after the command was sent never does (DeliveryTimedOut); 30s to 720h, default 1h")
}

// complete parses the targets into the request and checks it.
func (o *execOptions) complete(flags *pflag.FlagSet, args []string, operation string) error {
	o.Targets = append(args, o.Targets...)
	if len(o.Targets) == 0 {
		return cmdutil.FlagErrorf("no target: give the nodes to %s, e.g. tag:Env=prod", map[string]string{"Scan": "scan", "Install": "patch"}[operation])
	}
	specs, err := target.ParseAll(o.Targets, o.Aliases())
	if err != nil {
		return err
	}
	o.Request.Specs, o.Request.Operation = specs, operation
	o.Request.MaxConcurrency, o.Request.MaxErrors = o.MaxConcurrency, o.MaxErrors
	// --ping as run takes it: a node not Online holds the run until AWS
	// gives up on it (runcmd warns and names this flag).
	if o.Request.Ping, err = cmdutil.Ping(o.Ping); err != nil {
		return err
	}
	if err := cmdutil.RangeFlagError(flags, runcmd.CheckDeliveryTimeout(o.DeliveryTimeout)); err != nil {
		return err
	}
	o.Request.DeliveryTimeout = o.DeliveryTimeout
	_, err = o.Request.Request()
	return err
}

// resultView is one node's result in scan's and install's document.
type resultView struct {
	NodeID        string `json:"nodeId"`
	Name          string `json:"name"`
	Status        string `json:"status"`
	StatusDetails string `json:"statusDetails"`
	ExitCode      int    `json:"exitCode"`
	Stdout        string `json:"stdout"`
	Stderr        string `json:"stderr"`
}

// execView is what scan and install print with -o json|yaml.
type execView struct {
	CommandIDs []string       `json:"commandIds"`
	ExitCode   int            `json:"exitCode"`
	Results    []resultView   `json:"results"`
	Compliance complianceView `json:"compliance"`
}

// execRun sends AWS-RunPatchBaseline, prints each node's result as it
// arrives, then the nodes' compliance; the exit status is run's, and
// after an install with NoReboot that left patches pending a reboot,
// 194 (3010 on Windows).
func execRun(ctx context.Context, o *execOptions) error {
	req, err := o.Request.Request()
	if err != nil {
		return err
	}
	// The change calendars first: nothing is resolved or sent while one is
	// closed. 100 is Run Command's Comment limit (the SSM API model).
	if req.Comment, err = o.Gate.Check(ctx, req.Comment, 100); err != nil {
		return err
	}
	client, err := o.RunCmd(ctx)
	if err != nil {
		return err
	}
	pc, err := o.Patch(ctx)
	if err != nil {
		return err
	}
	sig := make(chan os.Signal, 2)
	o.Notify(sig)
	defer o.StopNotify(sig)
	run, err := cmdutil.StartRun(ctx, o.IO, client, req, sig, o.CancelWait)
	if err != nil {
		return err
	}
	printer := o.Printer()
	w := cmdutil.NewResultWriter(o.IO, printer, o.Prefix, run.Nodes)
	res, err := cmdutil.WaitResults(ctx, o.IO, run, w, sig, o.CancelWait)
	if err != nil {
		return err
	}
	exit := cmdutil.RunExit(res)

	nodes := make([]target.Node, 0, len(res.Invocations))
	for _, inv := range res.Invocations {
		nodes = append(nodes, target.Node{ID: inv.NodeID, Name: inv.Name})
	}
	o.IO.StartProgress("Reading patch compliance")
	view, cerr := readCompliance(ctx, pc, nodes)
	o.IO.StopProgress()
	noReboot := o.Request.Operation == "Install" && o.Request.RebootOption == "NoReboot"
	switch {
	case cerr != nil && exit == nil && noReboot:
		// Without the nodes' patch states ssmctl cannot tell whether a
		// reboot is owed: 0 would tell a pipeline that none is.
		exit = exitcode.New(exitcode.AWS, "reading patch compliance after the install: %s; whether a reboot is owed is unknown (ssmctl patch compliance tells)", exitcode.Message(cerr))
	case cerr != nil:
		o.IO.Warnf("reading patch compliance: %s", exitcode.Message(cerr))
	}
	if exit == nil && noReboot {
		var owed []string
		for _, n := range view.Nodes {
			if n.InstalledPendingReboot > 0 {
				owed = append(owed, nodeName(n))
			}
		}
		if len(owed) > 0 {
			exit = exitcode.New(exitcode.Reboot, "%d of %d nodes need a reboot to finish patching: %s", len(owed), len(view.Nodes), output.FewNames(owed))
		}
	}
	if printer.Structured() {
		doc := execView{CommandIDs: run.CommandIDs, ExitCode: exitcode.Code(exit), Results: []resultView{}, Compliance: view}
		for _, inv := range res.Invocations {
			doc.Results = append(doc.Results, resultView{NodeID: inv.NodeID, Name: inv.Name, Status: inv.Status, StatusDetails: inv.StatusDetails,
				ExitCode: inv.ExitCode(), Stdout: inv.Stdout, Stderr: inv.Stderr})
		}
		if err := printer.Print(doc, nil); err != nil {
			return err
		}
		return exit
	}
	if o.IO.IsStderrTTY() && !o.IO.Quiet() {
		cmdutil.PrintRunSummary(o.IO, res.Invocations)
	}
	if cerr == nil {
		fmt.Fprintln(o.IO.Out)
		if err := printCompliance(o.IO, printer, view, o.Now()); err != nil {
			return err
		}
	}
	return exit
}
