package calendar

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// StateOptions is what calendar state uses.
type StateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*calendar.Client, error)

	Names []string
	At    string
	// AtTime is --at read (zero: now).
	AtTime time.Time
}

// NewCmdState is `ssmctl calendar state`.
func NewCmdState(f *cmdutil.Factory, runF func(*StateOptions) error) *cobra.Command {
	opts := &StateOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Calendar}
	cmd := &cobra.Command{
		Use:   "state NAME...",
		Short: "Say whether change calendars are OPEN or CLOSED, since when and until when",
		Long: `Print each calendar's state (GetCalendarState) now, or at the time --at
gives, since when it has been so, and its next transition: when an open
calendar closes, or a closed one opens ("-" when none is scheduled). NAME
is a calendar's name or ARN.

GetCalendarState does not say when a state began: SINCE is computed from
the calendar's events (GetDocument). It is "-" when the state has not
changed in the last 100 years, or when the calendar cannot be read or holds
iCalendar that ssmctl does not evaluate; the state itself is AWS's.

Exits 0 when every calendar is OPEN and 1 when one is CLOSED.`,
		Example: `  ssmctl calendar state prod-freeze && ./deploy.sh
  ssmctl calendar state prod-freeze --at 2026-12-24T18:00:00Z
  ssmctl calendar state prod-freeze --at 3d -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			if opts.At != "" {
				t, err := calendar.ParseAt(opts.At, opts.Now())
				if err != nil {
					return err
				}
				opts.AtTime = t
			}
			if runF != nil {
				return runF(opts)
			}
			return stateRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteCalendars(f),
	}
	cmd.Flags().StringVar(&opts.At, "at", "", "the state at this `TIME`: 2026-12-24T18:00:00Z, 2026-12-24 (UTC), or a duration from now (2h, 3d)")
	return cmd
}

func stateRun(ctx context.Context, opts *StateOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading calendar state")
	states, err := client.States(ctx, opts.Names, opts.AtTime)
	if err == nil {
		client.FillSince(ctx, states)
	}
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]stateView, 0, len(states))
	closed := false
	for _, s := range states {
		views = append(views, newStateView(s))
		closed = closed || !s.IsOpen()
	}
	err = opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"CALENDAR", "STATE", "SINCE", "AT", "NEXT TRANSITION"}, NoTruncate: []int{1, 2, 3, 4}, DropOrder: []int{3}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.State, timeCell(v.Since), timeCell(v.AtTime), timeCell(v.NextTransitionTime)})
		}
		return t
	})
	if err == nil && closed {
		return exitcode.Silent(exitcode.Failed)
	}
	return err
}
