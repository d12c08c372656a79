// Package calendar is `ssmctl calendar`: Change Calendar, the state of
// calendars (with an exit code a script can gate on), listing, showing and
// creating them.
package calendar

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/calendar"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// stateView is one calendar's state. The JSON names are a stable
// contract (docs/calendar.md).
type stateView struct {
	Name               string       `json:"name"`
	State              string       `json:"state"`
	Since              *output.Time `json:"since,omitempty"`
	AtTime             *output.Time `json:"atTime,omitempty"`
	NextTransitionTime *output.Time `json:"nextTransitionTime,omitempty"`
}

func newStateView(s calendar.State) stateView {
	return stateView{Name: s.Name, State: s.State, Since: output.NewTime(s.Since), AtTime: output.NewTime(s.At), NextTransitionTime: output.NewTime(s.Next)}
}

// calendarView is a calendar as `calendar ls` lists it.
type calendarView struct {
	Name               string       `json:"name"`
	Owner              string       `json:"owner"`
	Version            string       `json:"documentVersion"`
	CreatedDate        *output.Time `json:"createdDate,omitempty"`
	State              string       `json:"state"`
	NextTransitionTime *output.Time `json:"nextTransitionTime,omitempty"`
}

// calendarDetailView is what `calendar show` prints.
type calendarDetailView struct {
	Name               string       `json:"name"`
	Version            string       `json:"documentVersion"`
	Type               string       `json:"calendarType"`
	Description        string       `json:"description,omitempty"`
	TimeZone           string       `json:"timeZone,omitempty"`
	State              string       `json:"state"`
	NextTransitionTime *output.Time `json:"nextTransitionTime,omitempty"`
	Events             []eventView  `json:"events"`
}

type eventView struct {
	Summary    string `json:"summary"`
	Start      string `json:"start"`
	End        string `json:"end,omitempty"`
	Repeats    string `json:"repeats,omitempty"`
	Exceptions int    `json:"exceptions,omitempty"`
}

// timeCell is a transition time in a table: RFC 3339 UTC, "-" for none.
func timeCell(t *output.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// NewCmdCalendar is `ssmctl calendar`.
func NewCmdCalendar(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "calendar",
		Aliases: []string{"calendars", "change-calendar"},
		Short:   "Tell whether a Change Calendar is OPEN or CLOSED, and until when",
		Long: `Change Calendar: a calendar (a ChangeCalendar document, iCalendar 2.0) is
OPEN or CLOSED at any time. A DEFAULT_OPEN calendar is closed during its
events (a freeze), a DEFAULT_CLOSED one open during them (change windows).

'calendar state' exits 0 when every calendar named is open and 1 when one is
closed, so 'ssmctl calendar state prod-freeze && deploy' works; 'run'
takes --change-calendar NAME to refuse to start while a calendar is closed.`,
		Example: `  ssmctl calendar state prod-freeze
  ssmctl calendar state prod-freeze change-window --at 2026-12-24T18:00:00Z
  ssmctl calendar create prod-freeze --default open --ics freeze.ics
  ssmctl run --change-calendar prod-freeze web-1 -- systemctl restart app`,
	}
	cmd.AddCommand(NewCmdState(f, nil), NewCmdLs(f, nil), NewCmdShow(f, nil), NewCmdCreate(f, nil))
	return cmd
}
