package opsitem

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// LsOptions is what opsitem ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*opsitems.Client, error)

	Filter opsitems.Filter
}

// NewCmdLs is `ssmctl opsitem ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().OpsItems}
	var statuses, data []string
	var createdAfter string
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List OpsItems, newest first",
		Long: `List OpsItems with DescribeOpsItems's filters, every condition given
(AND); --status may be repeated (OR). --title-contains matches part of the
title, --created-after a duration ago (24h, 7d) or a time, --data
key=value searchable operational data (data that is not searchable is
never matched). --limit stops after N OpsItems (default: all).`,
		Example: `  ssmctl opsitem ls --status Open --priority 1
  ssmctl opsitem ls --status Open --status InProgress --source ec2 --created-after 24h
  ssmctl opsitem ls --data team=payments --title-contains disk -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			flt := &opts.Filter
			for _, s := range statuses {
				st, err := opsitems.CheckStatus(s)
				if err != nil {
					return err
				}
				flt.Statuses = append(flt.Statuses, st)
			}
			if err := checkNumbers(cmd, flt.Priority, flt.Severity); err != nil {
				return err
			}
			if cmd.Flags().Changed("source") {
				if err := opsitems.CheckSource(flt.Source); err != nil {
					return err
				}
			}
			if flt.Limit < 0 {
				return cmdutil.FlagValueErrorf("limit", strconv.Itoa(flt.Limit), "want a positive number")
			}
			t, err := cmdutil.ParseSince("created-after", createdAfter, opts.Now())
			if err != nil {
				return cmdutil.FlagErrorf("%s", err)
			}
			flt.CreatedAfter = t
			for _, s := range data {
				k, v, ok := strings.Cut(s, "=")
				if !ok || k == "" {
					return cmdutil.FlagValueErrorf("data", s, "want key=value")
				}
				flt.Data = append(flt.Data, opsitems.KeyValue{Key: k, Value: v})
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&statuses, "status", nil, "OpsItems with this `status`: Open, InProgress, Resolved (repeatable)")
	fl.IntVar(&opts.Filter.Priority, "priority", 0, "OpsItems of this priority, `N` from 1 to 5")
	fl.IntVar(&opts.Filter.Severity, "severity", 0, "OpsItems of this severity, `N` from 1 to 4")
	fl.StringVar(&opts.Filter.Source, "source", "", "OpsItems from this `source`")
	fl.StringVar(&opts.Filter.Category, "category", "", "OpsItems of this `category`")
	fl.StringVar(&opts.Filter.TitleContains, "title-contains", "", "OpsItems whose title contains `text`")
	fl.StringVar(&createdAfter, "created-after", "", "OpsItems created after this `time`: a duration ago (90m, 24h, 7d) or a date/time")
	fl.StringArrayVar(&data, "data", nil, "OpsItems with this searchable operational data `key=value` (repeatable)")
	fl.IntVar(&opts.Filter.Limit, "limit", 0, "at most `N` OpsItems (0: all)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(opsitems.Statuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func lsRun(ctx context.Context, opts *LsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	sums, err := c.List(ctx, opts.Filter)
	if err != nil {
		return err
	}
	views := make([]summaryView, 0, len(sums))
	for _, s := range sums {
		views = append(views, summaryView{ID: s.ID, Title: s.Title, Status: s.Status, Priority: s.Priority,
			Severity: s.Severity, Source: s.Source, Category: s.Category, Type: s.Type, OperationalData: newDataViews(s.Data),
			CreatedBy: s.CreatedBy, Created: output.NewTime(s.Created), LastModifiedBy: s.LastModifiedBy,
			LastModified: output.NewTime(s.LastModified)})
	}
	p := opts.Printer()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"ID", "STATUS", "PRIORITY", "SEVERITY", "SOURCE", "CREATED", "TITLE"},
			NoTruncate: []int{0, 5}, DropOrder: []int{3, 4, 2}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.ID, v.Status, number(v.Priority), v.Severity, v.Source,
				output.TimeLabel(v.Created, opts.Now(), p.TerminalTable()), v.Title})
		}
		return t
	})
}

func number(n int32) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(int(n))
}
