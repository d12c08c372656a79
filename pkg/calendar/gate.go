package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Gate is what a command that changes managed nodes checks before it
// starts: the change calendars that must be open (--change-calendar), and
// the reason to start anyway (--ignore-change-calendar).
type Gate struct {
	Calendars []string
	Override  string
}

// MaxOverrideLen bounds --ignore-change-calendar's reason, so that the
// note recording it fits in a Run Command comment (100 characters) beside
// ssmctl's exactly-once mark.
const MaxOverrideLen = 50

// overridePrefix starts the note an override leaves in a comment.
const overridePrefix = "calendar override: "

// Validate checks the flags without I/O.
func (g Gate) Validate() error {
	for _, c := range g.Calendars {
		if strings.TrimSpace(c) == "" {
			return exitcode.Usagef("--change-calendar: empty calendar name")
		}
	}
	o := strings.TrimSpace(g.Override)
	switch {
	case g.Override != "" && o == "":
		return exitcode.Usagef("--ignore-change-calendar needs a reason")
	case o != "" && len(g.Calendars) == 0:
		return exitcode.Usagef("--ignore-change-calendar needs --change-calendar: there is no calendar to ignore")
	case len([]rune(o)) > MaxOverrideLen:
		return exitcode.Usagef("--ignore-change-calendar: the reason is longer than %d characters", MaxOverrideLen)
	}
	return nil
}

// Verdict is what the gate found.
type Verdict struct {
	States []State
	// Closed are the calendars found closed; the command starts despite
	// them only when Overridden.
	Closed     []State
	Overridden bool
}

// Check asks for the calendars' state now. With one closed it refuses
// (exit 1, one line naming each closed calendar and when it opens) unless
// the gate has an override; no calendars is no call at all.
func (c *Client) Check(ctx context.Context, g Gate) (Verdict, error) {
	var v Verdict
	if err := g.Validate(); err != nil || len(g.Calendars) == 0 {
		return v, err
	}
	states, err := c.States(ctx, g.Calendars, time.Time{})
	if err != nil {
		return v, err
	}
	v.States = states
	for _, s := range states {
		if !s.IsOpen() {
			v.Closed = append(v.Closed, s)
		}
	}
	if len(v.Closed) == 0 {
		return v, nil
	}
	if strings.TrimSpace(g.Override) != "" {
		v.Overridden = true
		return v, nil
	}
	return v, exitcode.New(exitcode.Failed, "%s: not started (--ignore-change-calendar REASON starts anyway)", ClosedLine(v.Closed))
}

// ClosedLine names closed calendars and when each opens.
func ClosedLine(closed []State) string {
	parts := make([]string, 0, len(closed))
	for _, s := range closed {
		p := "change calendar " + s.Name + " is CLOSED"
		if s.Next.IsZero() {
			p += " with no opening scheduled"
		} else {
			p += " until " + s.Next.UTC().Format(time.RFC3339)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// Comment is the comment a command sends once an override let it start:
// the note "calendar override: REASON" first, then the user's comment,
// cut to max characters.
func (v Verdict) Comment(g Gate, comment string, max int) string {
	if !v.Overridden {
		return comment
	}
	out := overridePrefix + strings.TrimSpace(g.Override)
	if c := strings.TrimSpace(comment); c != "" {
		out += "; " + c
	}
	if r := []rune(out); len(r) > max {
		out = strings.TrimSpace(string(r[:max]))
	}
	return out
}

// Warning is the line a command prints when an override let it start.
func (v Verdict) Warning(g Gate) string {
	return fmt.Sprintf("%s: starting anyway (%s%s)", ClosedLine(v.Closed), overridePrefix, strings.TrimSpace(g.Override))
}
