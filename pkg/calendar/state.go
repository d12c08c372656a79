package calendar

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/ical"
)

// The states GetCalendarState answers.
const (
	Open   = "OPEN"
	Closed = "CLOSED"
)

// State is one calendar's state at a time.
type State struct {
	Name  string
	State string // Open or Closed
	At    time.Time
	// Next is when the state changes; zero when AWS names no change.
	Next time.Time
	// Since is when the state began (FillSince); zero when unknown.
	Since time.Time
}

// IsOpen says whether the calendar is open.
func (s State) IsOpen() bool { return s.State == Open }

// States asks AWS for each calendar's state at a time (now when at is
// zero), one GetCalendarState per calendar so that each is named.
func (c *Client) States(ctx context.Context, names []string, at time.Time) ([]State, error) {
	out := make([]State, 0, len(names))
	for _, name := range names {
		in := &ssm.GetCalendarStateInput{CalendarNames: []string{name}}
		if !at.IsZero() {
			in.AtTime = aws.String(at.UTC().Format(time.RFC3339))
		}
		res, err := c.API.GetCalendarState(ctx, in)
		if err != nil {
			return nil, calendarError(err, name)
		}
		s := State{Name: name, State: string(res.State)}
		s.At, _ = parseISO(aws.ToString(res.AtTime))
		s.Next, _ = parseISO(aws.ToString(res.NextTransitionTime))
		if s.At.IsZero() {
			s.At = at
		}
		out = append(out, s)
	}
	return out, nil
}

// FillSince sets each state's Since: GetCalendarState does not say when a
// state began, so it is computed from the calendar's content (GetDocument,
// evaluated by pkg/ical, as the sandbox evaluates it for GetCalendarState).
// A calendar that cannot be read or evaluated (no GetDocument permission,
// iCalendar that pkg/ical does not read) keeps a zero Since: the state
// itself, which AWS gave, stands.
func (c *Client) FillSince(ctx context.Context, states []State) {
	for i := range states {
		d, err := c.API.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(states[i].Name), DocumentFormat: types.DocumentFormatText})
		if err != nil {
			continue
		}
		cal, err := ical.Parse(aws.ToString(d.Content))
		if err != nil {
			continue
		}
		at := states[i].At
		if at.IsZero() {
			at = time.Now()
		}
		states[i].Since = ical.Since([]*ical.Calendar{cal}, at)
	}
}

// calendarError names the calendar in AWS's answer about it.
func calendarError(err error, name string) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch api.ErrorCode() {
	case "InvalidDocument":
		return exitcode.Reword(err, "change calendar %s does not exist", name)
	case "InvalidDocumentType":
		return exitcode.Reword(err, "%s is not a change calendar (a ChangeCalendar document)", name)
	}
	return err
}

// parseISO reads the ISO 8601 times AWS answers with.
func parseISO(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
}

// ParseAt reads --at: an RFC 3339 time, a date and time or a date (UTC),
// or a duration from now (2h, +90m, 3d).
func ParseAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	rel := strings.TrimPrefix(s, "+")
	if n, ok := strings.CutSuffix(rel, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.Add(time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(rel); err == nil && d >= 0 {
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, exitcode.Usagef("--at %q: want a time such as 2026-12-24T18:00:00Z, 2026-12-24 (UTC) or a duration from now such as 2h or 3d", s)
}
