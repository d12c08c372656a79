package automation

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// StartOptions is what automation start uses.
type StartOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*automation.Client, error)

	Document       string
	Version        string
	Params         []string
	Targets        []string
	TargetParam    string
	MaxConcurrency string
	MaxErrors      string
	Mode           string
	NoWait         bool
	// TargetLocations.
	Accounts            []string
	Regions             []string
	ExecutionRole       string
	LocationConcurrency string
	LocationErrors      string
	// Gate is --change-calendar and --ignore-change-calendar.
	Gate *cmdutil.CalendarGate

	// Request is built from the flags.
	Request automation.StartRequest
}

// The model's patterns for MaxConcurrency and MaxErrors, checked before
// any call.
var (
	maxConcurrencyPattern = lazyre.New(`^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$`)
	maxErrorsPattern      = lazyre.New(`^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$`)
)

// NewCmdStart is `ssmctl automation start`.
func NewCmdStart(f *cmdutil.Factory, runF func(*StartOptions) error) *cobra.Command {
	opts := &StartOptions{IO: f.IO, Printer: f.Printer, Aliases: f.Aliases, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:   "start DOCUMENT [TARGET...] [--param KEY=VALUE]...",
		Short: "Start a runbook and follow it step by step",
		Long: `Start an Automation runbook (StartAutomationExecution) and follow it: each
step is printed as it starts and as it ends, with its action, status,
duration, outputs and failure message, and a spinner names the current
step. A step waiting for approval names its approvers and the command that
approves it.

TARGETs with --target-param make a rate-controlled execution: AWS starts one
child execution per target, the target in the runbook parameter
--target-param names, at most --max-concurrency at a time (default 10), and
stops starting more once more than --max-errors have failed (default 0).
Tag targets (tag:K=V) go to AWS as Targets; node IDs, names and aliases are
resolved here and sent as ParameterValues.

--accounts and --regions run the runbook beyond this account and Region
through TargetLocations: AWS's Automation starts one child execution per
account and Region (in the role --execution-role names), at most
--location-concurrency at a time, and stops after --location-errors failed;
the live view shows one line per account/Region as each child ends.

Exit status: 0 Success, 1 Failed or Cancelled, 124 TimedOut; Ctrl-C stops the
execution (StopAutomationExecution, Cancel) and exits 130 (SIGTERM 143,
SIGHUP 129). --change-calendar NAME refuses to start while that change
calendar is CLOSED (exit 1, naming it and when it opens);
--ignore-change-calendar REASON starts anyway and tags the execution
ssmctl:change-calendar-override=REASON. --no-wait prints the execution ID and exits 0. The start is sent
with an idempotency token, so a start whose answer was lost is retried
without starting the runbook twice.`,
		Example: `  ssmctl automation start AWS-RestartEC2Instance --param InstanceId=i-0123456789abcdef0
  ssmctl automation start MyRunbook --param Message=hello --param Count=3 -o json
  ssmctl automation start MyRemediation tag:Env=prod --target-param InstanceId --max-concurrency 5 --max-errors 1
  ssmctl automation start MyPatchRun --accounts 111111111111,222222222222 --regions eu-west-1,us-east-1 --location-concurrency 2
  id=$(ssmctl automation start AWS-StopEC2Instance --param InstanceId=i-0123456789abcdef0 --no-wait)`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Document, opts.Targets = args[0], args[1:]
			if err := completeStart(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return startRun(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return cmdutil.CompleteDocuments(f)(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Params, "param", "p", nil, "a runbook parameter `KEY=VALUE` (repeat a KEY for a StringList)")
	cmd.Flags().StringVar(&opts.Version, "version", "", "the runbook `VERSION` (a number, $LATEST or $DEFAULT)")
	cmd.Flags().StringVar(&opts.TargetParam, "target-param", "", "the runbook parameter that takes each target (rate control)")
	cmd.Flags().StringVar(&opts.MaxConcurrency, "max-concurrency", "", "rate control: child executions at a time, `N` or N% (default 10)")
	cmd.Flags().StringVar(&opts.MaxErrors, "max-errors", "", "rate control: failed children allowed before no more start, `N` or N% (default 0)")
	cmd.Flags().StringVar(&opts.Mode, "mode", "", "execution mode: Auto (default) or Interactive (steps start with 'automation signal')")
	cmd.Flags().BoolVar(&opts.NoWait, "no-wait", false, "print the execution ID and exit")
	cmd.Flags().StringSliceVar(&opts.Accounts, "accounts", nil, "run in these `ACCOUNTS` (IDs or ou-... units, comma-separated) through TargetLocations; needs --regions")
	cmd.Flags().StringSliceVar(&opts.Regions, "regions", nil, "run in these `REGIONS` (comma-separated) through TargetLocations; needs --accounts")
	cmd.Flags().StringVar(&opts.ExecutionRole, "execution-role", "", "the IAM role `NAME` Automation assumes in each account (default AWS-SystemsManager-AutomationExecutionRole)")
	cmd.Flags().StringVar(&opts.LocationConcurrency, "location-concurrency", "", "accounts and Regions at a time, `N` or N%")
	cmd.Flags().StringVar(&opts.LocationErrors, "location-errors", "", "failed locations allowed before no more start, `N` or N%")
	opts.Gate = cmdutil.AddCalendarGateFlags(cmd, f)
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"Auto", "Interactive"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// completeStart checks the flags and builds the request, before any call.
func completeStart(opts *StartOptions) error {
	params, err := cmdutil.ParseParams(opts.Params)
	if err != nil {
		return err
	}
	req := automation.StartRequest{Document: opts.Document, Version: opts.Version, Params: params, TargetParameter: opts.TargetParam,
		MaxConcurrency: opts.MaxConcurrency, MaxErrors: opts.MaxErrors}
	if opts.Mode != "" {
		if req.Mode, err = cmdutil.OneOf("mode", opts.Mode, []string{"Auto", "Interactive"}); err != nil {
			return err
		}
	}
	switch {
	case len(opts.Targets) > 0 && opts.TargetParam == "":
		return cmdutil.FlagErrorf("targets need --target-param: the runbook parameter each target goes to")
	case opts.TargetParam != "" && len(opts.Targets) == 0:
		return cmdutil.FlagErrorf("--target-param needs targets")
	case len(opts.Targets) == 0 && (opts.MaxConcurrency != "" || opts.MaxErrors != ""):
		return cmdutil.FlagErrorf("--max-concurrency and --max-errors need targets and --target-param")
	case (len(opts.Accounts) > 0) != (len(opts.Regions) > 0):
		return cmdutil.FlagErrorf("--accounts and --regions go together")
	case len(opts.Accounts) == 0 && (opts.ExecutionRole != "" || opts.LocationConcurrency != "" || opts.LocationErrors != ""):
		return cmdutil.FlagErrorf("--execution-role, --location-concurrency and --location-errors need --accounts and --regions")
	case opts.LocationConcurrency != "" && !maxConcurrencyPattern.MatchString(opts.LocationConcurrency):
		return cmdutil.FlagValueErrorf("location-concurrency", opts.LocationConcurrency, "want a number from 1 or a percentage from 1%% to 100%%")
	case opts.LocationErrors != "" && !maxErrorsPattern.MatchString(opts.LocationErrors):
		return cmdutil.FlagValueErrorf("location-errors", opts.LocationErrors, "want a number from 0 or a percentage from 0%% to 100%%")
	case opts.MaxConcurrency != "" && !maxConcurrencyPattern.MatchString(opts.MaxConcurrency):
		return cmdutil.FlagValueErrorf("max-concurrency", opts.MaxConcurrency, "want a number from 1 or a percentage from 1%% to 100%%")
	case opts.MaxErrors != "" && !maxErrorsPattern.MatchString(opts.MaxErrors):
		return cmdutil.FlagValueErrorf("max-errors", opts.MaxErrors, "want a number from 0 or a percentage from 0%% to 100%%")
	}
	if len(opts.Targets) > 0 {
		if req.Targets, err = target.ParseAll(opts.Targets, opts.Aliases()); err != nil {
			return err
		}
	}
	if len(opts.Accounts) > 0 {
		req.Location = &automation.Location{Accounts: opts.Accounts, Regions: opts.Regions, ExecutionRole: opts.ExecutionRole,
			MaxConcurrency: opts.LocationConcurrency, MaxErrors: opts.LocationErrors}
	}
	opts.Request = req
	return nil
}

// overrideTag is the tag an execution started over a closed change
// calendar carries, its value the reason (StartAutomationExecution has
// no comment; a tag value holds 256 characters).
const overrideTag = "ssmctl:change-calendar-override"

func startRun(ctx context.Context, opts *StartOptions) error {
	// The change calendars first: nothing is resolved or started while one
	// is closed.
	note, err := opts.Gate.Check(ctx, "", 256)
	if err != nil {
		return err
	}
	if note != "" {
		opts.Request.Tags = map[string]string{overrideTag: note}
	}
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Starting " + opts.Document)
	id, err := client.Start(ctx, opts.Request)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	p := opts.Printer()
	if opts.NoWait {
		return p.Print(map[string]string{"executionId": id}, func() output.Table {
			return output.Table{Headers: []string{"EXECUTION ID"}, Rows: [][]string{{id}}}
		})
	}
	if !p.Structured() {
		fmt.Fprintf(opts.IO.Out, "Execution %s of %s started\n", id, opts.Document)
	}
	return follow(ctx, opts.IO, p, client, id, true)
}
