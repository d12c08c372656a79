package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

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
