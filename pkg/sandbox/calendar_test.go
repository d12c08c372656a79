package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// freezeCalendar is open by default and closed on weekends (Friday 18:00
// to Monday 06:00, Europe/Paris) except the one of 2026-12-18, and over
// Christmas.
const freezeCalendar = "BEGIN:VCALENDAR\r\n" +
	"PRODID:-//AWS//Change Calendar 1.0//EN\r\n" +
	"VERSION:2.0\r\n" +
	"X-CALENDAR-TYPE:DEFAULT_OPEN\r\n" +
	"X-WR-CALDESC:production freeze\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:weekend\r\n" +
	"SUMMARY:weekend\r\n" +
	"DTSTART;TZID=Europe/Paris:20261204T180000\r\n" +
	"DTEND;TZID=Europe/Paris:20261207T060000\r\n" +
	"RRULE:FREQ=WEEKLY;BYDAY=FR\r\n" +
	"EXDATE;TZID=Europe/Paris:20261218T180000\r\n" +
	"END:VEVENT\r\n" +
	"BEGIN:VEVENT\r\n" +
	"UID:xmas\r\n" +
	"SUMMARY:Christmas\r\n" +
	"DTSTART;VALUE=DATE:20261224\r\n" +
	"DTEND;VALUE=DATE:20261227\r\n" +
	"END:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

const closedCalendar = "BEGIN:VCALENDAR\r\nPRODID:-//AWS//Change Calendar 1.0//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_CLOSED\r\n" +
	"BEGIN:VEVENT\r\nUID:w\r\nDTSTART:20261210T090000Z\r\nDURATION:PT2H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestChangeCalendar(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	created, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{
		Name: aws.String("prod-freeze"), Content: aws.String(freezeCalendar),
		DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: types.DocumentFormatText,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := created.DocumentDescription; d.DocumentType != types.DocumentTypeChangeCalendar || d.DocumentFormat != types.DocumentFormatText ||
		aws.ToString(d.Description) != "production freeze" {
		t.Errorf("CreateDocument: %+v", d)
	}
	if _, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{
		Name: aws.String("window"), Content: aws.String(closedCalendar),
		DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: types.DocumentFormatText,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetDocument(ctx(), &ssm.GetDocumentInput{Name: aws.String("prod-freeze")})
	if err != nil || aws.ToString(got.Content) != freezeCalendar || got.DocumentFormat != types.DocumentFormatText {
		t.Errorf("GetDocument: %v %+v", err, got)
	}
	if _, err := c.GetDocument(ctx(), &ssm.GetDocumentInput{Name: aws.String("prod-freeze"), DocumentFormat: types.DocumentFormatJson}); errorCode(err) != "InvalidDocumentOperation" {
		t.Errorf("GetDocument as JSON: %v", err)
	}

	arn := "arn:aws:ssm:" + s.Region() + ":" + s.AccountID() + ":document/prod-freeze"
	for _, tc := range []struct {
		names       []string
		at          string
		state, next string
	}{
		{[]string{"prod-freeze"}, "2026-12-04T12:00:00Z", "OPEN", "2026-12-04T17:00:00Z"},
		{[]string{arn}, "2026-12-05T12:00:00Z", "CLOSED", "2026-12-07T05:00:00Z"},
		{[]string{"prod-freeze"}, "2026-12-19T12:00:00Z", "OPEN", "2026-12-24T00:00:00Z"},
		{[]string{"prod-freeze"}, "2026-12-24T10:00:00+01:00", "CLOSED", "2026-12-28T05:00:00Z"},
		{[]string{"window"}, "2026-12-10T10:00:00Z", "OPEN", "2026-12-10T11:00:00Z"},
		{[]string{"window"}, "2026-12-10T12:00:00Z", "CLOSED", ""},
		{[]string{"window", "prod-freeze"}, "2026-12-10T09:30:00Z", "OPEN", "2026-12-10T11:00:00Z"},
		{[]string{"window", "prod-freeze"}, "2026-12-01T09:30:00Z", "CLOSED", "2026-12-10T09:00:00Z"},
	} {
		out, err := c.GetCalendarState(ctx(), &ssm.GetCalendarStateInput{CalendarNames: tc.names, AtTime: aws.String(tc.at)})
		if err != nil {
			t.Fatalf("GetCalendarState %v at %s: %v", tc.names, tc.at, err)
		}
		if string(out.State) != tc.state || aws.ToString(out.NextTransitionTime) != tc.next {
			t.Errorf("GetCalendarState %v at %s = %s, next %q; want %s, next %q", tc.names, tc.at, out.State, aws.ToString(out.NextTransitionTime), tc.state, tc.next)
		}
	}
	now, err := c.GetCalendarState(ctx(), &ssm.GetCalendarStateInput{CalendarNames: []string{"prod-freeze"}})
	if err != nil || !strings.HasSuffix(aws.ToString(now.AtTime), "Z") {
		t.Errorf("GetCalendarState without AtTime: %v %+v", err, now)
	}

	for _, bad := range []struct {
		names []string
		at    *string
		code  string
	}{
		{[]string{"nope"}, nil, "InvalidDocument"},
		{[]string{"AWS-RunShellScript"}, nil, "InvalidDocumentType"},
		{[]string{"prod-freeze"}, aws.String("yesterday"), "ValidationException"},
		{[]string{}, nil, "ValidationException"},
	} {
		if _, err := c.GetCalendarState(ctx(), &ssm.GetCalendarStateInput{CalendarNames: bad.names, AtTime: bad.at}); errorCode(err) != bad.code {
			t.Errorf("GetCalendarState %v: %v, want %s", bad.names, err, bad.code)
		}
	}
	for _, bad := range []struct {
		content string
		format  types.DocumentFormat
	}{
		{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", types.DocumentFormatText},
		{strings.Replace(closedCalendar, "DTSTART:20261210T090000Z", "DTSTART:tomorrow", 1), types.DocumentFormatText},
		{closedCalendar, types.DocumentFormatJson},
	} {
		_, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{
			Name: aws.String("bad-cal"), Content: aws.String(bad.content),
			DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: bad.format,
		})
		if errorCode(err) != "InvalidDocumentContent" {
			t.Errorf("CreateDocument of a bad calendar: %v", err)
		}
	}
}

// TestChangeCalendarAWSCLI: create-document and get-calendar-state as the
// AWS CLI sends them.
func TestChangeCalendarAWSCLI(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	file := filepath.Join(t.TempDir(), "freeze.ics")
	if err := os.WriteFile(file, []byte(freezeCalendar), 0o600); err != nil {
		t.Fatal(err)
	}
	var created struct {
		DocumentDescription struct{ Name, DocumentType, DocumentFormat string }
	}
	awsCLI(t, s, &created, "ssm", "create-document", "--name", "prod-freeze", "--content", "file://"+file,
		"--document-type", "ChangeCalendar", "--document-format", "TEXT")
	if d := created.DocumentDescription; d.DocumentType != "ChangeCalendar" || d.DocumentFormat != "TEXT" {
		t.Errorf("create-document: %+v", d)
	}
	// The second calendar through the SDK: each aws run costs seconds.
	if _, err := ssmClient(s).CreateDocument(ctx(), &ssm.CreateDocumentInput{
		Name: aws.String("window"), Content: aws.String(closedCalendar),
		DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: types.DocumentFormatText,
	}); err != nil {
		t.Fatal(err)
	}
	var state struct{ State, AtTime, NextTransitionTime string }
	awsCLI(t, s, &state, "ssm", "get-calendar-state", "--calendar-names", "prod-freeze", "window", "--at-time", "2026-12-05T12:00:00Z")
	if state.State != "CLOSED" || state.AtTime != "2026-12-05T12:00:00Z" || state.NextTransitionTime != "2026-12-10T09:00:00Z" {
		t.Errorf("get-calendar-state: %+v", state)
	}
	var doc struct{ Content, DocumentFormat, DocumentType string }
	awsCLI(t, s, &doc, "ssm", "get-document", "--name", "prod-freeze")
	// The AWS CLI reads file:// content as text: CRLF arrives as LF.
	if doc.Content != strings.ReplaceAll(freezeCalendar, "\r\n", "\n") || doc.DocumentFormat != "TEXT" || doc.DocumentType != "ChangeCalendar" {
		t.Errorf("get-document: %+v", doc)
	}
	var list struct{ DocumentIdentifiers []struct{ Name string } }
	awsCLI(t, s, &list, "ssm", "list-documents", "--filters", "Key=DocumentType,Values=ChangeCalendar")
	if len(list.DocumentIdentifiers) != 2 || list.DocumentIdentifiers[0].Name != "prod-freeze" {
		t.Errorf("list-documents: %+v", list)
	}
}

// TestChangeCalendarPersists: a calendar in the state file is parsed again
// on restart and GetCalendarState reads it.
func TestChangeCalendarPersists(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	if _, err := ssmClient(s1).CreateDocument(ctx(), &ssm.CreateDocumentInput{
		Name: aws.String("prod-freeze"), Content: aws.String(freezeCalendar),
		DocumentType: types.DocumentTypeChangeCalendar, DocumentFormat: types.DocumentFormatText,
	}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := Start(t, Options{StatePath: path})
	out, err := ssmClient(s2).GetCalendarState(ctx(), &ssm.GetCalendarStateInput{CalendarNames: []string{"prod-freeze"}, AtTime: aws.String("2026-12-05T12:00:00Z")})
	if err != nil || out.State != types.CalendarStateClosed || aws.ToString(out.NextTransitionTime) != "2026-12-07T05:00:00Z" {
		t.Errorf("after restart: %v %+v", err, out)
	}
}
