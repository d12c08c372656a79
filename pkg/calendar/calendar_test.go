package calendar

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// fakeAPI answers GetCalendarState from a table of states.
type fakeAPI struct {
	API
	states map[string]*ssm.GetCalendarStateOutput
	calls  int
}

func (f *fakeAPI) GetCalendarState(_ context.Context, in *ssm.GetCalendarStateInput, _ ...func(*ssm.Options)) (*ssm.GetCalendarStateOutput, error) {
	f.calls++
	out, ok := f.states[in.CalendarNames[0]]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidDocument", Message: "nope"}
	}
	return out, nil
}

func state(s types.CalendarState, next string) *ssm.GetCalendarStateOutput {
	out := &ssm.GetCalendarStateOutput{State: s, AtTime: aws.String("2026-12-05T12:00:00Z")}
	if next != "" {
		out.NextTransitionTime = aws.String(next)
	}
	return out
}

func TestGate(t *testing.T) {
	api := &fakeAPI{states: map[string]*ssm.GetCalendarStateOutput{
		"open":   state(types.CalendarStateOpen, "2026-12-24T00:00:00Z"),
		"freeze": state(types.CalendarStateClosed, "2026-12-07T05:00:00Z"),
		"never":  state(types.CalendarStateClosed, ""),
	}}
	c := &Client{API: api}
	ctx := context.Background()

	if _, err := c.Check(ctx, Gate{}); err != nil || api.calls != 0 {
		t.Fatalf("no calendars: %v, %d calls", err, api.calls)
	}
	if v, err := c.Check(ctx, Gate{Calendars: []string{"open"}}); err != nil || len(v.Closed) != 0 {
		t.Fatalf("open: %v %+v", err, v)
	}
	_, err := c.Check(ctx, Gate{Calendars: []string{"open", "freeze", "never"}})
	want := "change calendar freeze is CLOSED until 2026-12-07T05:00:00Z; change calendar never is CLOSED with no opening scheduled: not started"
	if exitcode.Code(err) != exitcode.Failed || !strings.HasPrefix(exitcode.Message(err), want) {
		t.Errorf("closed: %d %q", exitcode.Code(err), exitcode.Message(err))
	}
	g := Gate{Calendars: []string{"freeze"}, Override: "INC-42"}
	v, err := c.Check(ctx, g)
	if err != nil || !v.Overridden {
		t.Fatalf("override: %v %+v", err, v)
	}
	if got := v.Comment(g, "nightly deploy", 100); got != "calendar override: INC-42; nightly deploy" {
		t.Errorf("Comment = %q", got)
	}
	if got := v.Comment(g, "", 100); got != "calendar override: INC-42" {
		t.Errorf("Comment without a user comment = %q", got)
	}
	if got := v.Comment(g, strings.Repeat("x", 200), 100); len(got) != 100 || !strings.HasPrefix(got, "calendar override: INC-42; xx") {
		t.Errorf("long Comment = %q", got)
	}
	if got := (Verdict{}).Comment(g, "plain", 100); got != "plain" {
		t.Errorf("Comment without an override = %q", got)
	}
	_, err = c.Check(ctx, Gate{Calendars: []string{"missing"}})
	if !strings.Contains(exitcode.Message(err), "change calendar missing does not exist") {
		t.Errorf("unknown calendar: %v", err)
	}
	for _, bad := range []Gate{
		{Override: "why"},
		{Calendars: []string{"freeze"}, Override: "  "},
		{Calendars: []string{"freeze"}, OverrideGiven: true},
		{OverrideGiven: true},
		{Calendars: []string{"freeze"}, Override: strings.Repeat("r", MaxOverrideLen+1)},
		{Calendars: []string{""}},
	} {
		calls := api.calls
		if _, err := c.Check(ctx, bad); exitcode.Code(err) != exitcode.Usage || api.calls != calls {
			t.Errorf("Check(%+v) = %v (code %d), %d calls", bad, err, exitcode.Code(err), api.calls-calls)
		}
	}
}

func TestWithType(t *testing.T) {
	in := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
	got, err := WithType(in, DefaultClosed)
	if err != nil || got != "BEGIN:VCALENDAR\r\nX-CALENDAR-TYPE:DEFAULT_CLOSED\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n" {
		t.Errorf("added: %q %v", got, err)
	}
	got, err = WithType(got, DefaultOpen)
	if err != nil || strings.Count(got, "X-CALENDAR-TYPE") != 1 || !strings.Contains(got, "X-CALENDAR-TYPE:DEFAULT_OPEN\r\n") {
		t.Errorf("replaced: %q %v", got, err)
	}
	if kept, err := WithType(got, ""); err != nil || kept != got {
		t.Errorf("kept: %q %v", kept, err)
	}
	if _, err := WithType(in, ""); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("no type: %v", err)
	}
}

func TestRuleText(t *testing.T) {
	for rule, want := range map[string]string{
		"FREQ=WEEKLY;BYDAY=FR":                       "weekly on FR",
		"FREQ=DAILY;INTERVAL=2;COUNT=4":              "every 2 days, 4 times",
		"FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270301":     "monthly on -1FR until 2027-03-01",
		"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24":       "yearly in month 12 on day 24",
		"FREQ=HOURLY":                                "FREQ=HOURLY",
		"FREQ=WEEKLY;UNTIL=20270301T000000Z;WKST=SU": "weekly until 2027-03-01 00:00 UTC",
	} {
		if got := RuleText(rule); got != want {
			t.Errorf("RuleText(%q) = %q, want %q", rule, got, want)
		}
	}
}

func TestParseAt(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"2026-12-24T18:00:00+01:00": "2026-12-24T17:00:00Z",
		"2026-12-24":                "2026-12-24T00:00:00Z",
		"2026-12-24T18:00":          "2026-12-24T18:00:00Z",
		"2h":                        "2026-12-05T14:00:00Z",
		"+3d":                       "2026-12-08T12:00:00Z",
	} {
		got, err := ParseAt(in, now)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("ParseAt(%q) = %v %v, want %s", in, got, err, want)
		}
	}
	if _, err := ParseAt("-2h", now); exitcode.Code(err) != exitcode.Usage {
		t.Errorf("ParseAt(-2h) = %v", err)
	}
}

func TestReadICS(t *testing.T) {
	ics := ReadICS("BEGIN:VCALENDAR\r\nX-CALENDAR-TYPE:DEFAULT_OPEN\r\nX-WR-CALDESC:freeze\\, prod\r\nBEGIN:VEVENT\r\nSUMMARY:long\r\n  weekend\r\n" +
		"DTSTART;TZID=Europe/Paris:20261204T180000\r\nDURATION:PT60H\r\nRRULE:FREQ=WEEKLY\r\nEXDATE:20261211T170000Z,20261218T170000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	if ics.Type != DefaultOpen || ics.Description != "freeze, prod" || len(ics.Events) != 1 {
		t.Fatalf("%+v", ics)
	}
	e := ics.Events[0]
	if e.Summary != "long weekend" || e.Start != "2026-12-04 18:00 Europe/Paris" || e.End != "+60h" || e.Repeats != "weekly" || e.Except != 2 {
		t.Errorf("%+v", e)
	}
}

// docsAPI answers GetDocument from a table of contents.
type docsAPI struct {
	API
	content map[string]string
}

func (d *docsAPI) GetDocument(_ context.Context, in *ssm.GetDocumentInput, _ ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error) {
	c, ok := d.content[aws.ToString(in.Name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	return &ssm.GetDocumentOutput{Name: in.Name, Content: aws.String(c), DocumentType: types.DocumentTypeChangeCalendar}, nil
}

// FillSince computes when each state began from the calendar's events; a
// calendar it cannot read or evaluate keeps a zero Since and the state AWS
// gave.
func TestFillSince(t *testing.T) {
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	c := &Client{API: &docsAPI{content: map[string]string{
		"freeze": "BEGIN:VCALENDAR\r\nPRODID:-//t//t//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_OPEN\r\nBEGIN:VEVENT\r\nUID:a\r\n" +
			"DTSTART:20261204T170000Z\r\nDTEND:20261207T050000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"hourly": "BEGIN:VCALENDAR\r\nPRODID:-//t//t//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_OPEN\r\nBEGIN:VEVENT\r\nUID:a\r\n" +
			"DTSTART:20261204T170000Z\r\nDTEND:20261204T180000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	}}}
	states := []State{{Name: "freeze", State: Closed, At: at}, {Name: "hourly", State: Open, At: at}, {Name: "denied", State: Open, At: at}}
	c.FillSince(context.Background(), states)
	if want := time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC); !states[0].Since.Equal(want) {
		t.Errorf("freeze since %v, want %v", states[0].Since, want)
	}
	for _, s := range states[1:] {
		if !s.Since.IsZero() || s.State != Open {
			t.Errorf("%s: since %v state %s, want zero and OPEN kept", s.Name, s.Since, s.State)
		}
	}
}
