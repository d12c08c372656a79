package run

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// ListOptions is what run list uses.
type ListOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Aliases func() map[string][]string
	Client  func(ctx context.Context) (*runcmd.Client, error)

	Targets []string
	Status  string
	Since   time.Duration
}

// NewCmdList is `ssmctl run list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, Client: f.Clients().RunCommand}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List recent commands",
		Long: `List the commands sent in this account and region, newest first (AWS keeps
them for 30 days), optionally only those sent to the given targets, with a
status, or sent in the last DURATION.`,
		Example: `  ssmctl run list --since 24h
  ssmctl run list --target web-1 --status Failed
  ssmctl run list -o json --query '[].commandId'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Status != "" {
				found := ""
				for _, s := range runcmd.CommandStatuses {
					if strings.EqualFold(s, opts.Status) {
						found = s
					}
				}
				if found == "" {
					return cmdutil.FlagValueErrorf("status", opts.Status, "want one of %s", strings.Join(runcmd.CommandStatuses, ", "))
				}
				opts.Status = found
			}
			if opts.Since < 0 {
				return cmdutil.FlagErrorf("invalid --since %s: want a positive duration", opts.Since)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddTargetFlag(cmd, f, &opts.Targets)
	cmd.Flags().StringVar(&opts.Status, "status", "", "only commands with this `status`: "+strings.Join(runcmd.CommandStatuses, ", "))
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "only commands sent in the last `duration` (e.g. 2h)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(runcmd.CommandStatuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	filter := runcmd.ListFilter{Status: opts.Status}
	if opts.Since > 0 {
		filter.Since = opts.Now().Add(-opts.Since)
	}
	if len(opts.Targets) > 0 {
		specs, err := target.ParseAll(opts.Targets, opts.Aliases())
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
	opts.IO.StartProgress("Listing commands")
	cmds, err := client.List(ctx, filter)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]commandView, 0, len(cmds))
	for _, c := range cmds {
		views = append(views, newCommandView(c))
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"COMMAND ID", "DOCUMENT", "STATUS", "TARGETS", "DONE", "ERRORS", "REQUESTED", "COMMENT"}, NoTruncate: []int{0, 2}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.CommandID, v.Document, v.Status, fmt.Sprint(v.TargetCount), fmt.Sprint(v.CompletedCount),
				fmt.Sprint(v.ErrorCount), output.TimeLabel(v.Requested, now, tty), v.Comment})
		}
		return t
	})
}
