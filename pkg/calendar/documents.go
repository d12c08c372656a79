package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// The calendar types: the ics's X-CALENDAR-TYPE.
const (
	DefaultOpen   = "DEFAULT_OPEN"
	DefaultClosed = "DEFAULT_CLOSED"
)

// Calendar is a ChangeCalendar document as ListDocuments lists it.
type Calendar struct {
	Name    string
	Owner   string
	Version string
	Created time.Time
}

// List lists the change calendars of the account and region.
func (c *Client) List(ctx context.Context) ([]Calendar, error) {
	in := &ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("DocumentType"), Values: []string{"ChangeCalendar"}}}}
	var out []Calendar
	p := ssm.NewListDocumentsPaginator(c.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range page.DocumentIdentifiers {
			out = append(out, Calendar{Name: aws.ToString(d.Name), Owner: aws.ToString(d.Owner),
				Version: aws.ToString(d.DocumentVersion), Created: aws.ToTime(d.CreatedDate)})
		}
	}
	return out, nil
}

// Get reads a calendar's content and its events.
func (c *Client) Get(ctx context.Context, name string) (*ICS, error) {
	d, err := c.API.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String(name), DocumentFormat: types.DocumentFormatText})
	if err != nil {
		return nil, calendarError(err, name)
	}
	if d.DocumentType != types.DocumentTypeChangeCalendar {
		return nil, exitcode.New(exitcode.Usage, "%s is a %s document, not a change calendar", name, d.DocumentType)
	}
	ics := ReadICS(aws.ToString(d.Content))
	ics.Name = aws.ToString(d.Name)
	ics.Version = aws.ToString(d.DocumentVersion)
	return ics, nil
}

// Create creates a calendar from iCalendar content, of type typ
// (DefaultOpen or DefaultClosed; empty keeps the content's own).
func (c *Client) Create(ctx context.Context, name, typ, content string) (string, error) {
	content, err := WithType(content, typ)
	if err != nil {
		return "", err
	}
	out, err := c.API.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name: aws.String(name), Content: aws.String(content),
		DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: types.DocumentFormatText,
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.DocumentDescription.DocumentVersion), nil
}

// WithType sets the calendar type in iCalendar content: it replaces the
// X-CALENDAR-TYPE line or adds one after BEGIN:VCALENDAR. With typ empty
// the content must carry its own.
func WithType(content, typ string) (string, error) {
	eol := "\n"
	if strings.Contains(content, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n")
	begin, have := -1, -1
	for i, l := range lines {
		u := strings.ToUpper(strings.TrimSpace(l))
		if begin < 0 && u == "BEGIN:VCALENDAR" {
			begin = i
		}
		if strings.HasPrefix(u, "X-CALENDAR-TYPE:") && have < 0 {
			have = i
		}
	}
	switch {
	case typ == "" && have < 0:
		return "", exitcode.Usagef("the calendar has no X-CALENDAR-TYPE: give --default open or --default closed")
	case typ == "":
		return content, nil
	case have >= 0:
		lines[have] = "X-CALENDAR-TYPE:" + typ
	case begin >= 0:
		lines = append(lines[:begin+1], append([]string{"X-CALENDAR-TYPE:" + typ}, lines[begin+1:]...)...)
	default:
		// Not an iCalendar: AWS says what is wrong with it.
		return content, nil
	}
	return strings.Join(lines, eol), nil
}

// ICS is what ssmctl reads of a calendar's content to show it; the state
// itself is always AWS's (GetCalendarState).
type ICS struct {
	Name        string
	Version     string
	Type        string
	Description string
	TimeZone    string
	Events      []Event
}

// Event is one VEVENT as `calendar show` prints it.
type Event struct {
	Summary string
	Start   string // as written, made readable: 2026-12-04 18:00 Europe/Paris
	End     string
	Repeats string // the RRULE in words, "" for a single event
	Except  int    // EXDATEs
}

// ReadICS reads the parts of iCalendar content that `calendar show`
// prints. It is lenient: AWS validated the content when it was stored.
func ReadICS(content string) *ICS {
	ics := &ICS{}
	var ev *Event
	for _, l := range unfoldLines(content) {
		name, params, value := splitLine(l)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			ev = &Event{}
		case name == "END" && strings.EqualFold(value, "VEVENT") && ev != nil:
			ics.Events = append(ics.Events, *ev)
			ev = nil
		case ev == nil:
			switch name {
			case "X-CALENDAR-TYPE":
				ics.Type = value
			case "X-WR-CALDESC":
				ics.Description = unescapeText(value)
			case "X-WR-TIMEZONE":
				ics.TimeZone = value
			}
		default:
			switch name {
			case "SUMMARY":
				ev.Summary = unescapeText(value)
			case "DTSTART":
				ev.Start = readableTime(value, params)
			case "DTEND":
				ev.End = readableTime(value, params)
			case "DURATION":
				ev.End = "+" + strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(value, "P"), "T"))
			case "RRULE":
				ev.Repeats = RuleText(value)
			case "EXDATE":
				ev.Except += len(strings.Split(value, ","))
			}
		}
	}
	return ics
}

func unfoldLines(content string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(content, "\r\n", "\n"), "\n") {
		if len(out) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, strings.TrimRight(l, "\r"))
	}
	return out
}

// splitLine splits NAME;K=V...:VALUE (parameters with quoted values are
// rare in calendars; a colon inside one ends the parameters early, which
// only affects how the time is labelled).
func splitLine(l string) (name string, params map[string]string, value string) {
	head, value, _ := strings.Cut(l, ":")
	parts := strings.Split(head, ";")
	params = map[string]string{}
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(p, "="); ok {
			params[strings.ToUpper(k)] = strings.Trim(v, `"`)
		}
	}
	return strings.ToUpper(parts[0]), params, value
}

func unescapeText(s string) string {
	return strings.NewReplacer(`\n`, " ", `\N`, " ", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(s)
}

// readableTime makes 20261204T180000Z "2026-12-04 18:00 UTC", a TZID time
// "2026-12-04 18:00 Europe/Paris" and a date "2026-12-04".
func readableTime(v string, params map[string]string) string {
	if t, err := time.Parse("20060102", v); err == nil {
		return t.Format("2006-01-02")
	}
	if t, err := time.Parse("20060102T150405Z", v); err == nil {
		return t.Format("2006-01-02 15:04") + " UTC"
	}
	if t, err := time.Parse("20060102T150405", v); err == nil {
		s := t.Format("2006-01-02 15:04")
		if tz := params["TZID"]; tz != "" {
			s += " " + tz
		}
		return s
	}
	return v
}

// RuleText puts an RRULE in words: "weekly on FR until 2027-03-01",
// "every 2 days, 4 times".
func RuleText(rule string) string {
	parts := map[string]string{}
	for _, p := range strings.Split(rule, ";") {
		if k, v, ok := strings.Cut(p, "="); ok {
			parts[strings.ToUpper(k)] = v
		}
	}
	unit := map[string]string{"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[strings.ToUpper(parts["FREQ"])]
	if unit == "" {
		return rule
	}
	s := strings.ToLower(parts["FREQ"])
	if n := parts["INTERVAL"]; n != "" && n != "1" {
		s = "every " + n + " " + unit + "s"
	}
	if v := parts["BYMONTH"]; v != "" {
		s += " in month " + v
	}
	if v := parts["BYMONTHDAY"]; v != "" {
		s += " on day " + v
	}
	if v := parts["BYDAY"]; v != "" {
		s += " on " + v
	}
	if v := parts["UNTIL"]; v != "" {
		s += " until " + readableTime(v, nil)
	}
	if v := parts["COUNT"]; v != "" {
		s += fmt.Sprintf(", %s times", v)
	}
	return s
}
