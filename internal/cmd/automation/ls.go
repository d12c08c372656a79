package automation

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// LsOptions is what automation ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*automation.Client, error)

	Statuses []string
	Document string
	Since    time.Duration
	Limit    int
}

// Statuses are AutomationExecutionStatus's values (the model's enum).
var Statuses = []string{"Pending", "InProgress", "Waiting", "Success", "TimedOut", "Cancelling", "Cancelled", "Failed",
	"PendingApproval", "Approved", "Rejected", "Scheduled", "RunbookInProgress", "PendingChangeCalendarOverride",
	"ChangeCalendarOverrideApproved", "ChangeCalendarOverrideRejected", "CompletedWithSuccess", "CompletedWithFailure", "Exited"}

// NewCmdLs is `ssmctl automation ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List automation executions",
		Long: `List the automation executions of this account and region, newest first
(DescribeAutomationExecutions), with a status, of a runbook (a name
prefix), or started in the last DURATION.`,
		Example: `  ssmctl automation ls --status Failed --since 24h
  ssmctl automation ls --document AWS-Restart --limit 5 -o json --query '[].executionId'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for i, s := range opts.Statuses {
				var err error
				if opts.Statuses[i], err = cmdutil.OneOf("status", s, Statuses); err != nil {
					return err
				}
			}
			if opts.Since < 0 {
				return cmdutil.FlagErrorf("invalid --since %s: want a positive duration", opts.Since)
			}
			if opts.Limit < 0 {
				return cmdutil.FlagErrorf("invalid --limit %d: want 0 (all) or more", opts.Limit)
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Statuses, "status", nil, "only executions with this `status` (repeatable): Success, Failed, InProgress, Waiting, ...")
	cmd.Flags().StringVar(&opts.Document, "document", "", "only executions of runbooks whose name starts with `NAME`")
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "only executions started in the last `duration` (e.g. 2h)")
	cmd.Flags().IntVar(&opts.Limit, "limit", 50, "list at most `N` executions (0: all)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(Statuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func lsRun(ctx context.Context, opts *LsOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	filter := automation.ListFilter{Statuses: opts.Statuses, Document: opts.Document, Limit: opts.Limit}
	if opts.Since > 0 {
		filter.Since = opts.Now().Add(-opts.Since)
	}
	opts.IO.StartProgress("Listing executions")
	list, err := client.List(ctx, filter)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]executionView, 0, len(list))
	for _, e := range list {
		views = append(views, newExecutionView(e))
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"EXECUTION ID", "DOCUMENT", "STATUS", "STEP", "STARTED", "TARGET", "PARENT"},
			NoTruncate: []int{0, 2, 4}, DropOrder: []int{6, 5, 3}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.ExecutionID, v.Document + versionSuffix(v.DocumentVersion), v.Status, v.CurrentStep,
				output.TimeLabel(v.Start, now, tty), v.Target, v.Parent})
		}
		return t
	})
}

func versionSuffix(v string) string {
	if _, err := strconv.Atoi(v); err == nil {
		return ":" + v
	}
	return ""
}
