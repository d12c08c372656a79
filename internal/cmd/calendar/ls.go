package calendar

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// LsOptions is what calendar ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*calendar.Client, error)
}

// NewCmdLs is `ssmctl calendar ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Calendar}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List change calendars with their state now",
		Long: `List the change calendars (ChangeCalendar documents) of this account and
region, each with its state now and its next transition.`,
		Example: `  ssmctl calendar ls
  ssmctl calendar ls -o json --query '[?state==` + "`CLOSED`" + `].name'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func lsRun(ctx context.Context, opts *LsOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing calendars")
	cals, err := client.List(ctx)
	var states []calendar.State
	if err == nil {
		names := make([]string, 0, len(cals))
		for _, c := range cals {
			names = append(names, c.Name)
		}
		states, err = client.States(ctx, names, time.Time{})
	}
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]calendarView, 0, len(cals))
	for i, c := range cals {
		views = append(views, calendarView{Name: c.Name, Owner: c.Owner, Version: c.Version, CreatedDate: output.NewTime(c.Created),
			State: states[i].State, NextTransitionTime: output.NewTime(states[i].Next)})
	}
	tty := opts.Printer().TerminalTable()
	return opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "STATE", "NEXT TRANSITION", "VERSION", "CREATED"},
			NoTruncate: []int{1, 2, 3, 4}, DropOrder: []int{4, 3}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.State, timeCell(v.NextTransitionTime), v.Version, output.TimeLabel(v.CreatedDate, opts.Now(), tty)})
		}
		return t
	})
}
