package cmdutil

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/calendar"
)

// CalendarGate is --change-calendar and --ignore-change-calendar on a
// command that changes managed nodes. A command wires it in two lines:
//
//	opts.Gate = cmdutil.AddCalendarGateFlags(cmd, f)   // in NewCmdX
//	comment, err := opts.Gate.Check(ctx, comment, 100) // in xRun, before it starts anything
type CalendarGate struct {
	calendar.Gate
	client func(ctx context.Context) (*calendar.Client, error)
	warnf  func(format string, args ...any)
}

// AddCalendarGateFlags adds --change-calendar NAME (repeatable) and
// --ignore-change-calendar REASON to cmd.
func AddCalendarGateFlags(cmd *cobra.Command, f *Factory) *CalendarGate {
	g := &CalendarGate{client: f.Clients().Calendar, warnf: f.IO.Warnf}
	fl := cmd.Flags()
	fl.StringArrayVar(&g.Calendars, "change-calendar", nil, "refuse to start while this change calendar `NAME` (or ARN) is CLOSED (repeatable)")
	fl.StringVar(&g.Override, "ignore-change-calendar", "", "start even if a change calendar is closed, for this `REASON` (recorded in the command's comment)")
	_ = cmd.RegisterFlagCompletionFunc("change-calendar", CompleteCalendars(f))
	return g
}

// Check passes the gate: nil when every calendar is open (or none is
// named); an error with exit code 1 naming each closed calendar and when
// it opens; with an override, a warning, and comment with the override
// noted first, cut to max characters.
func (g *CalendarGate) Check(ctx context.Context, comment string, max int) (string, error) {
	if g == nil {
		return comment, nil
	}
	if err := g.Validate(); err != nil || len(g.Calendars) == 0 {
		return comment, err
	}
	client, err := g.client(ctx)
	if err != nil {
		return comment, err
	}
	v, err := client.Check(ctx, g.Gate)
	if err != nil {
		return comment, err
	}
	if v.Overridden {
		g.warnf("%s", v.Warning(g.Gate))
	}
	return v.Comment(g.Gate, comment, max), nil
}

// CompleteCalendars completes change calendar names.
func CompleteCalendars(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		client, err := f.Clients().Calendar(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cals, err := client.List(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names := make([]string, 0, len(cals))
		for _, c := range cals {
			names = append(names, c.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
