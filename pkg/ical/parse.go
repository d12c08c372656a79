// Package ical reads the iCalendar 2.0 (RFC 5545) content of Change
// Calendar documents and answers what GetCalendarState asks of it: is a
// calendar open at a time, and when does that change. It reads the subset
// Change Calendar writes and imports: VEVENTs with DTSTART, DTEND or
// DURATION, RRULE (FREQ DAILY, WEEKLY, MONTHLY, YEARLY; INTERVAL, COUNT,
// UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST), RDATE, EXDATE, RECURRENCE-ID,
// STATUS:CANCELLED and TZID (IANA names), and the calendar's
// X-CALENDAR-TYPE (DEFAULT_OPEN or DEFAULT_CLOSED) and X-WR-TIMEZONE.
// Anything else in the content is kept but not interpreted.
package ical

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // TZID names resolve on hosts without a zoneinfo database
)

// The calendar types (the ics's X-CALENDAR-TYPE).
const (
	DefaultOpen   = "DEFAULT_OPEN"
	DefaultClosed = "DEFAULT_CLOSED"
)

// Calendar is a parsed Change Calendar.
type Calendar struct {
	Type        string // DefaultOpen or DefaultClosed
	Description string // X-WR-CALDESC
	Loc         *time.Location
	Events      []*Event
}

// Event is one VEVENT: a single time range or a recurring one.
type Event struct {
	UID     string
	Summary string
	Start   time.Time
	Dur     time.Duration
	Rule    *Rule
	RDates  []time.Time
	ExDates []time.Time
}

// Error is a content error: what is wrong, and the line it is on (0 when
// it is about the whole calendar).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errAt(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// property is one content line: NAME;PARAM=VALUE...:VALUE.
type property struct {
	line   int
	name   string
	params map[string]string
	value  string
}

// component is a BEGIN/END block with its properties and children.
type component struct {
	name     string
	line     int
	props    []property
	children []*component
}

func (c *component) prop(name string) *property {
	for i := range c.props {
		if c.props[i].name == name {
			return &c.props[i]
		}
	}
	return nil
}

// unfold splits content into logical lines (RFC 5545 3.1: a line that
// begins with a space or a tab continues the one before), with the number
// of the physical line each starts on.
func unfold(content string) ([]string, []int) {
	content = strings.ReplaceAll(content, "\r\n", "\n")
	var lines []string
	var nums []int
	for i, l := range strings.Split(content, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
		nums = append(nums, i+1)
	}
	return lines, nums
}

// parseLine splits a content line into its name, parameters and value.
func parseLine(s string, n int) (property, *Error) {
	p := property{line: n, params: map[string]string{}}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return p, errAt(n, "%q is not an iCalendar content line (NAME:VALUE)", clip(s))
	}
	p.name = strings.ToUpper(s[:i])
	rest := s[i:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return p, errAt(n, "parameter without a value in %q", clip(s))
		}
		key := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return p, errAt(n, "unterminated quoted parameter in %q", clip(s))
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			end := strings.IndexAny(rest, ";:")
			if end < 0 {
				return p, errAt(n, "%q has no value", clip(s))
			}
			val, rest = rest[:end], rest[end:]
		}
		p.params[key] = val
	}
	if !strings.HasPrefix(rest, ":") {
		return p, errAt(n, "%q has no value", clip(s))
	}
	p.value = rest[1:]
	return p, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// parseComponents reads the content's component tree: exactly one
// VCALENDAR, BEGIN and END paired.
func parseComponents(content string) (*component, *Error) {
	lines, nums := unfold(content)
	var stack []*component
	var root *component
	for i, l := range lines {
		n := nums[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if root != nil && len(stack) == 0 {
			return nil, errAt(n, "content after END:VCALENDAR")
		}
		p, err := parseLine(l, n)
		if err != nil {
			return nil, err
		}
		switch p.name {
		case "BEGIN":
			c := &component{name: strings.ToUpper(p.value), line: n}
			if len(stack) == 0 {
				if c.name != "VCALENDAR" {
					return nil, errAt(n, "the content must begin with BEGIN:VCALENDAR")
				}
				root = c
			} else {
				top := stack[len(stack)-1]
				top.children = append(top.children, c)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 {
				return nil, errAt(n, "END:%s without BEGIN", p.value)
			}
			top := stack[len(stack)-1]
			if !strings.EqualFold(p.value, top.name) {
				return nil, errAt(n, "END:%s does not close BEGIN:%s (line %d)", p.value, top.name, top.line)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, errAt(n, "the content must begin with BEGIN:VCALENDAR")
			}
			top := stack[len(stack)-1]
			top.props = append(top.props, p)
		}
	}
	if root == nil {
		return nil, errAt(0, "the content is not an iCalendar: no BEGIN:VCALENDAR")
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return nil, errAt(top.line, "BEGIN:%s is never closed", top.name)
	}
	return root, nil
}

// Parse reads a Change Calendar's content.
func Parse(content string) (*Calendar, error) {
	root, err := parseComponents(content)
	if err != nil {
		return nil, err
	}
	if v := root.prop("VERSION"); v == nil || strings.TrimSpace(v.value) != "2.0" {
		return nil, errAt(root.line, "VCALENDAR needs VERSION:2.0 (iCalendar 2.0)")
	}
	if root.prop("PRODID") == nil {
		return nil, errAt(root.line, "VCALENDAR needs a PRODID")
	}
	cal := &Calendar{Loc: time.UTC}
	t := root.prop("X-CALENDAR-TYPE")
	if t == nil {
		return nil, errAt(root.line, "VCALENDAR needs X-CALENDAR-TYPE:DEFAULT_OPEN or X-CALENDAR-TYPE:DEFAULT_CLOSED")
	}
	cal.Type = strings.TrimSpace(t.value)
	if cal.Type != DefaultOpen && cal.Type != DefaultClosed {
		return nil, errAt(t.line, "X-CALENDAR-TYPE is %q: want DEFAULT_OPEN or DEFAULT_CLOSED", t.value)
	}
	if d := root.prop("X-WR-CALDESC"); d != nil {
		cal.Description = unescape(d.value)
	}
	if tz := root.prop("X-WR-TIMEZONE"); tz != nil && tz.value != "" {
		loc, lerr := time.LoadLocation(tz.value)
		if lerr != nil {
			return nil, errAt(tz.line, "X-WR-TIMEZONE %q is not a time zone name (IANA, e.g. Europe/Paris)", tz.value)
		}
		cal.Loc = loc
	}
	var overrides []*Event
	for _, c := range root.children {
		if c.name != "VEVENT" {
			continue
		}
		if s := c.prop("STATUS"); s != nil && strings.EqualFold(s.value, "CANCELLED") {
			continue
		}
		e, rid, err := parseEvent(c, cal.Loc)
		if err != nil {
			return nil, err
		}
		cal.Events = append(cal.Events, e)
		if !rid.IsZero() {
			overrides = append(overrides, &Event{UID: e.UID, Start: rid})
		}
	}
	// A RECURRENCE-ID event replaces that occurrence of the recurring
	// event with the same UID.
	for _, o := range overrides {
		for _, e := range cal.Events {
			if e.UID == o.UID && (e.Rule != nil || len(e.RDates) > 0) {
				e.ExDates = append(e.ExDates, o.Start)
			}
		}
	}
	return cal, nil
}

func unescape(s string) string {
	r := strings.NewReplacer(`\n`, "\n", `\N`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`)
	return r.Replace(s)
}

// parseEvent reads a VEVENT; rid is its RECURRENCE-ID, if any.
func parseEvent(c *component, loc *time.Location) (e *Event, rid time.Time, err *Error) {
	e = &Event{}
	if p := c.prop("UID"); p != nil {
		e.UID = p.value
	}
	if p := c.prop("SUMMARY"); p != nil {
		e.Summary = unescape(p.value)
	}
	ds := c.prop("DTSTART")
	if ds == nil {
		return nil, rid, errAt(c.line, "VEVENT has no DTSTART")
	}
	start, allDay, err := parseTime(ds, loc)
	if err != nil {
		return nil, rid, err
	}
	e.Start = start
	if de := c.prop("DTEND"); de != nil {
		end, _, err := parseTime(de, loc)
		if err != nil {
			return nil, rid, err
		}
		if end.Before(start) {
			return nil, rid, errAt(de.line, "DTEND is before DTSTART")
		}
		e.Dur = end.Sub(start)
	} else if du := c.prop("DURATION"); du != nil {
		d, ok := parseDuration(du.value)
		if !ok || d < 0 {
			return nil, rid, errAt(du.line, "DURATION %q is not an iCalendar duration (e.g. PT2H, P1D)", du.value)
		}
		e.Dur = d
	} else if allDay {
		e.Dur = 24 * time.Hour
	}
	if p := c.prop("RECURRENCE-ID"); p != nil {
		if rid, _, err = parseTime(p, loc); err != nil {
			return nil, rid, err
		}
	}
	for _, p := range c.props {
		switch p.name {
		case "RRULE":
			if e.Rule != nil {
				return nil, rid, errAt(p.line, "a VEVENT has one RRULE at most")
			}
			r, err := parseRule(p, loc)
			if err != nil {
				return nil, rid, err
			}
			e.Rule = r
		case "EXDATE", "RDATE":
			for _, v := range strings.Split(p.value, ",") {
				q := p
				q.value = v
				t, _, err := parseTime(&q, loc)
				if err != nil {
					return nil, rid, err
				}
				if p.name == "EXDATE" {
					e.ExDates = append(e.ExDates, t)
				} else {
					e.RDates = append(e.RDates, t)
				}
			}
		}
	}
	return e, rid, nil
}

// parseTime reads a DATE or DATE-TIME value: UTC (Z), in its TZID, or
// floating (in the calendar's time zone).
func parseTime(p *property, loc *time.Location) (t time.Time, allDay bool, err *Error) {
	v := strings.TrimSpace(p.value)
	if tz := p.params["TZID"]; tz != "" {
		l, lerr := time.LoadLocation(strings.Trim(tz, "/"))
		if lerr != nil {
			return t, false, errAt(p.line, "%s: TZID %q is not a time zone name (IANA, e.g. Europe/Paris)", p.name, tz)
		}
		loc = l
	}
	var perr error
	switch {
	case len(v) == 8:
		t, perr = time.ParseInLocation("20060102", v, loc)
		allDay = true
	case strings.HasSuffix(v, "Z"):
		t, perr = time.Parse("20060102T150405Z", v)
	default:
		t, perr = time.ParseInLocation("20060102T150405", v, loc)
	}
	if perr != nil {
		return t, false, errAt(p.line, "%s %q is not an iCalendar date or date-time (20261224 or 20261224T090000[Z])", p.name, v)
	}
	return t, allDay, nil
}

// parseDuration reads an RFC 5545 duration: [+-]P[nW][nD][T[nH][nM][nS]].
func parseDuration(s string) (time.Duration, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, false
	}
	s = s[1:]
	var d time.Duration
	inTime := false
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'T':
			if inTime || num != "" {
				return 0, false
			}
			inTime = true
		default:
			if num == "" {
				return 0, false
			}
			n, _ := strconv.Atoi(num)
			num = ""
			unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
			if inTime {
				unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
			}
			u, ok := unit[r]
			if !ok {
				return 0, false
			}
			d += time.Duration(n) * u
		}
	}
	if num != "" {
		return 0, false
	}
	if neg {
		d = -d
	}
	return d, true
}
