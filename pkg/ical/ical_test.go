package ical

import (
	"strings"
	"testing"
	"time"
)

func cal(typ string, events ...string) string {
	return "BEGIN:VCALENDAR\r\nPRODID:-//AWS//Change Calendar 1.0//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:" + typ +
		"\r\n" + strings.Join(events, "") + "END:VCALENDAR\r\n"
}

func event(lines ...string) string {
	return "BEGIN:VEVENT\r\nUID:x\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\n"
}

func mustParse(t *testing.T, s string) *Calendar {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, s)
	}
	return c
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestState(t *testing.T) {
	weekly := cal(DefaultOpen, event("SUMMARY:weekend freeze", "DTSTART:20261204T180000Z", "DTEND:20261207T060000Z", "RRULE:FREQ=WEEKLY"))
	window := cal(DefaultClosed, event("DTSTART;TZID=Europe/Paris:20261201T090000", "DTEND;TZID=Europe/Paris:20261201T110000",
		"RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4", "EXDATE;TZID=Europe/Paris:20261203T090000"))
	monthly := cal(DefaultOpen, event("DTSTART:20261030T000000Z", "DURATION:P1D", "RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270301"))
	daily := cal(DefaultOpen, event("DTSTART:20261201T220000Z", "DTEND:20261202T020000Z", "RRULE:FREQ=DAILY;INTERVAL=2"))
	oneOff := cal(DefaultOpen, event("DTSTART;VALUE=DATE:20261224", "DTEND;VALUE=DATE:20261227"))
	for _, tc := range []struct {
		name, content, at string
		open              bool
		next              string
	}{
		{"weekly before", weekly, "2026-12-04T12:00:00Z", true, "2026-12-04T18:00:00Z"},
		{"weekly during", weekly, "2026-12-12T12:00:00Z", false, "2026-12-14T06:00:00Z"},
		{"weekly end is open", weekly, "2026-12-07T06:00:00Z", true, "2026-12-11T18:00:00Z"},
		{"tzid window open", window, "2026-12-01T08:30:00Z", true, "2026-12-01T10:00:00Z"},
		{"exdate skips thursday", window, "2026-12-01T10:00:00Z", false, "2026-12-08T08:00:00Z"},
		{"count ends the rule", window, "2026-12-08T10:00:00Z", false, "2026-12-10T08:00:00Z"},
		{"after count closed forever", window, "2026-12-10T10:00:00Z", false, ""},
		{"last friday", monthly, "2026-11-20T00:00:00Z", true, "2026-11-27T00:00:00Z"},
		{"last friday during", monthly, "2026-12-25T05:00:00Z", false, "2026-12-26T00:00:00Z"},
		{"until ends", monthly, "2027-02-27T00:00:00Z", true, ""},
		{"daily interval", daily, "2026-12-02T03:00:00Z", true, "2026-12-03T22:00:00Z"},
		{"all-day", oneOff, "2026-12-25T00:00:00Z", false, "2026-12-27T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.content)
			open, next := State([]*Calendar{c}, ts(tc.at))
			got := ""
			if !next.IsZero() {
				got = next.UTC().Format(time.RFC3339)
			}
			if open != tc.open || got != tc.next {
				t.Errorf("State(%s) = %v, %q; want %v, %q", tc.at, open, got, tc.open, tc.next)
			}
		})
	}
}

func TestStateSeveral(t *testing.T) {
	a := mustParse(t, cal(DefaultOpen, event("DTSTART:20261201T100000Z", "DTEND:20261201T120000Z")))
	b := mustParse(t, cal(DefaultOpen, event("DTSTART:20261201T110000Z", "DTEND:20261201T130000Z")))
	open, next := State([]*Calendar{a, b}, ts("2026-12-01T10:30:00Z"))
	if open || !next.Equal(ts("2026-12-01T13:00:00Z")) {
		t.Errorf("got %v %v, want closed until 13:00", open, next)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"hello", "not an iCalendar content line"},
		{"VERSION:2.0\n", "must begin with BEGIN:VCALENDAR"},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:2.0\nX-CALENDAR-TYPE:DEFAULT_OPEN\n", "never closed"},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:2.0\nX-CALENDAR-TYPE:DEFAULT_OPEN\nEND:VEVENT\n", "does not close"},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:1.0\nX-CALENDAR-TYPE:DEFAULT_OPEN\nEND:VCALENDAR\n", "VERSION:2.0"},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:2.0\nEND:VCALENDAR\n", "X-CALENDAR-TYPE"},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:2.0\nX-CALENDAR-TYPE:SOMETIMES\nEND:VCALENDAR\n", "SOMETIMES"},
		{cal(DefaultOpen, event("DTEND:20261201T120000Z")), "no DTSTART"},
		{cal(DefaultOpen, event("DTSTART:2026-12-01")), "not an iCalendar date"},
		{cal(DefaultOpen, event("DTSTART;TZID=Mars/Olympus:20261201T100000")), "Mars/Olympus"},
		{cal(DefaultOpen, event("DTSTART:20261201T100000Z", "RRULE:FREQ=HOURLY")), "HOURLY"},
		{cal(DefaultOpen, event("DTSTART:20261201T100000Z", "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20261210")), "COUNT and UNTIL"},
		{cal(DefaultOpen, event("DTSTART:20261201T100000Z", "DTEND:20261201T090000Z")), "before DTSTART"},
	} {
		_, err := Parse(tc.content)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", tc.content, err, tc.want)
		}
	}
}

func TestSince(t *testing.T) {
	weekly := cal(DefaultOpen, event("DTSTART:20261204T180000Z", "DTEND:20261207T060000Z", "RRULE:FREQ=WEEKLY"))
	window := cal(DefaultClosed, event("DTSTART;TZID=Europe/Paris:20261201T090000", "DTEND;TZID=Europe/Paris:20261201T110000",
		"RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4", "EXDATE;TZID=Europe/Paris:20261203T090000"))
	touching := cal(DefaultOpen, event("DTSTART:20261201T100000Z", "DTEND:20261201T120000Z"),
		event("DTSTART:20261201T120000Z", "DTEND:20261201T140000Z"))
	old := cal(DefaultOpen, event("DTSTART:20200101T000000Z", "DTEND:20200102T000000Z"))
	for _, tc := range []struct{ name, content, at, want string }{
		{"closed since the freeze began", weekly, "2026-12-12T12:00:00Z", "2026-12-11T18:00:00Z"},
		{"open since the last freeze ended", weekly, "2026-12-09T12:00:00Z", "2026-12-07T06:00:00Z"},
		{"a transition at at counts", weekly, "2026-12-07T06:00:00Z", "2026-12-07T06:00:00Z"},
		{"before the first event: never changed", weekly, "2026-12-01T00:00:00Z", ""},
		{"default closed, open in its window", window, "2026-12-08T08:30:00Z", "2026-12-08T08:00:00Z"},
		{"an exdate is no transition", window, "2026-12-07T00:00:00Z", "2026-12-01T10:00:00Z"},
		{"touching events are one closure", touching, "2026-12-01T13:00:00Z", "2026-12-01T10:00:00Z"},
		{"beyond a year back", old, "2026-12-01T00:00:00Z", "2020-01-02T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if s := Since([]*Calendar{mustParse(t, tc.content)}, ts(tc.at)); !s.IsZero() {
				got = s.UTC().Format(time.RFC3339)
			}
			if got != tc.want {
				t.Errorf("Since(%s) = %q, want %q", tc.at, got, tc.want)
			}
		})
	}
}
