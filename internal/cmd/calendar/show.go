package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// ShowOptions is what calendar show uses.
type ShowOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*calendar.Client, error)

	Name string
}

// NewCmdShow is `ssmctl calendar show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Calendar}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a change calendar: its type, state and events",
		Long: `Show a change calendar: its type (DEFAULT_OPEN or DEFAULT_CLOSED), its
state now and next transition, and its events, each with its start, end and
how it repeats (the RRULE in words) and how many occurrences it skips.`,
		Example: `  ssmctl calendar show prod-freeze
  ssmctl calendar show prod-freeze -o json --query 'events[].summary'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteCalendars(f),
	}
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading calendar")
	ics, err := client.Get(ctx, opts.Name)
	var states []calendar.State
	if err == nil {
		states, err = client.States(ctx, []string{opts.Name}, time.Time{})
	}
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	v := calendarDetailView{Name: ics.Name, Version: ics.Version, Type: ics.Type, Description: ics.Description, TimeZone: ics.TimeZone,
		State: states[0].State, NextTransitionTime: output.NewTime(states[0].Next), Events: []eventView{}}
	for _, e := range ics.Events {
		v.Events = append(v.Events, eventView{Summary: e.Summary, Start: e.Start, End: e.End, Repeats: e.Repeats, Exceptions: e.Except})
	}
	return opts.Printer().Print(v, func() output.Table {
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		add("Name", v.Name)
		if v.Description != "" {
			add("Description", output.FirstLine(v.Description))
		}
		add("Type", v.Type)
		if v.TimeZone != "" {
			add("Time zone", v.TimeZone)
		}
		add("Version", v.Version)
		add("State", v.State+" until "+timeCell(v.NextTransitionTime))
		for i, e := range v.Events {
			val := e.Start
			if e.End != "" {
				val += " -> " + e.End
			}
			if e.Repeats != "" {
				val += ", " + e.Repeats
			}
			if e.Exceptions > 0 {
				val += fmt.Sprintf(" (%d skipped)", e.Exceptions)
			}
			summary := e.Summary
			if summary == "" {
				summary = "(no summary)"
			}
			add(fmt.Sprintf("Event %d", i+1), summary+": "+val)
		}
		return t
	})
}
