package ical

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rule is an RRULE, the part of RFC 5545 3.3.10 Change Calendar uses.
type Rule struct {
	Freq       string // DAILY, WEEKLY, MONTHLY or YEARLY
	Interval   int
	Count      int       // 0: no COUNT
	Until      time.Time // zero: no UNTIL
	ByDay      []WeekdayNum
	ByMonthDay []int
	ByMonth    []int
	Wkst       time.Weekday
}

// WeekdayNum is a BYDAY entry: a weekday and, for MONTHLY and YEARLY
// rules, which one in the month (1 the first, -1 the last; 0 every one).
type WeekdayNum struct {
	N   int
	Day time.Weekday
}

var weekdays = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}

// maxOccurrences bounds the expansion of one event (a guard against rules
// that would make a request run for long; far above what a change calendar
// holds within the look-ahead).
const maxOccurrences = 200000

func parseRule(p property, loc *time.Location) (*Rule, *Error) {
	r := &Rule{Interval: 1, Wkst: time.Monday}
	bad := func(format string, args ...any) (*Rule, *Error) {
		return nil, errAt(p.line, "RRULE: "+format, args...)
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(p.value, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			return bad("%q is not NAME=VALUE", part)
		}
		k = strings.ToUpper(k)
		if seen[k] {
			return bad("%s appears twice", k)
		}
		seen[k] = true
		switch k {
		case "FREQ":
			r.Freq = strings.ToUpper(v)
			switch r.Freq {
			case "DAILY", "WEEKLY", "MONTHLY", "YEARLY":
			case "SECONDLY", "MINUTELY", "HOURLY":
				return bad("FREQ=%s is not supported by Change Calendar (DAILY, WEEKLY, MONTHLY, YEARLY)", r.Freq)
			default:
				return bad("FREQ=%s is not a frequency", v)
			}
		case "INTERVAL", "COUNT":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return bad("%s=%s must be a positive integer", k, v)
			}
			if k == "INTERVAL" {
				r.Interval = n
			} else {
				r.Count = n
			}
		case "UNTIL":
			q := property{line: p.line, name: "UNTIL", value: v, params: map[string]string{}}
			t, allDay, err := parseTime(&q, loc)
			if err != nil {
				return nil, err
			}
			if allDay {
				// A DATE UNTIL includes that day's occurrences.
				t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
			}
			r.Until = t
		case "BYDAY":
			for _, d := range strings.Split(v, ",") {
				d = strings.ToUpper(d)
				if len(d) < 2 {
					return bad("BYDAY %q is not a weekday", d)
				}
				wd, ok := weekdays[d[len(d)-2:]]
				if !ok {
					return bad("BYDAY %q is not a weekday (MO, TU, WE, TH, FR, SA, SU)", d)
				}
				n := 0
				if num := d[:len(d)-2]; num != "" {
					var err error
					n, err = strconv.Atoi(num)
					if err != nil || n == 0 || n < -5 || n > 5 {
						return bad("BYDAY %q: the ordinal must be 1 to 5 or -1 to -5", d)
					}
				}
				r.ByDay = append(r.ByDay, WeekdayNum{N: n, Day: wd})
			}
		case "BYMONTHDAY", "BYMONTH":
			lo, hi := -31, 31
			if k == "BYMONTH" {
				lo, hi = 1, 12
			}
			for _, s := range strings.Split(v, ",") {
				n, err := strconv.Atoi(s)
				if err != nil || n == 0 || n < lo || n > hi {
					return bad("%s %q is out of range", k, s)
				}
				if k == "BYMONTH" {
					r.ByMonth = append(r.ByMonth, n)
				} else {
					r.ByMonthDay = append(r.ByMonthDay, n)
				}
			}
		case "WKST":
			wd, ok := weekdays[strings.ToUpper(v)]
			if !ok {
				return bad("WKST %q is not a weekday", v)
			}
			r.Wkst = wd
		default:
			return bad("%s is not supported by the sandbox (FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, WKST)", k)
		}
	}
	if r.Freq == "" {
		return bad("FREQ is required")
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return bad("COUNT and UNTIL can't both be given")
	}
	for _, d := range r.ByDay {
		if d.N != 0 && (r.Freq == "DAILY" || r.Freq == "WEEKLY") {
			return bad("BYDAY with an ordinal (%d) is for MONTHLY and YEARLY rules", d.N)
		}
	}
	if r.Freq == "YEARLY" && len(r.ByDay) > 0 && len(r.ByMonth) == 0 {
		return bad("a YEARLY rule with BYDAY needs BYMONTH in the sandbox")
	}
	return r, nil
}

// starts lists the event's occurrence starts before limit, in order:
// DTSTART (always the first), the rule's and the RDATEs, less the EXDATEs.
func (e *Event) starts(limit time.Time) []time.Time {
	var out []time.Time
	if e.Start.Before(limit) {
		out = append(out, e.Start)
	}
	if e.Rule != nil {
		out = append(out, e.Rule.expand(e.Start, limit)...)
	}
	for _, t := range e.RDates {
		if t.Before(limit) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	out = slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
	return slices.DeleteFunc(out, func(t time.Time) bool {
		return slices.ContainsFunc(e.ExDates, func(x time.Time) bool { return x.Equal(t) })
	})
}

// expand lists the rule's occurrences after start (which is the first
// occurrence, counted by COUNT) and before limit.
func (r *Rule) expand(start, limit time.Time) []time.Time {
	loc := start.Location()
	y, m, d := start.Date()
	hh, mm, ss := start.Clock()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, hh, mm, ss, 0, loc) }
	count := 1
	var out []time.Time
	// emit takes one period's candidates; it reports whether to go on.
	emit := func(cands []time.Time) bool {
		slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
		for _, c := range cands {
			if !c.After(start) || !r.monthOK(c) {
				continue
			}
			if !r.Until.IsZero() && c.After(r.Until) {
				return false
			}
			if !c.Before(limit) || (r.Count > 0 && count >= r.Count) || len(out) >= maxOccurrences {
				return false
			}
			out = append(out, c)
			count++
		}
		return true
	}
	for k := 0; k < maxOccurrences; k++ {
		var cands []time.Time
		var periodStart time.Time
		switch r.Freq {
		case "DAILY":
			c := at(y, m, d+k*r.Interval)
			periodStart = c
			if r.dayOK(c) {
				cands = append(cands, c)
			}
		case "WEEKLY":
			back := (int(start.Weekday()) - int(r.Wkst) + 7) % 7
			base := at(y, m, d-back+7*k*r.Interval)
			periodStart = base
			days := []time.Weekday{start.Weekday()}
			if len(r.ByDay) > 0 {
				days = nil
				for _, wd := range r.ByDay {
					days = append(days, wd.Day)
				}
			}
			for _, wd := range days {
				off := (int(wd) - int(r.Wkst) + 7) % 7
				cands = append(cands, at(base.Year(), base.Month(), base.Day()+off))
			}
		case "MONTHLY":
			first := time.Date(y, m+time.Month(k*r.Interval), 1, hh, mm, ss, 0, loc)
			periodStart = first
			cands = r.monthDays(first.Year(), first.Month(), d, at)
		case "YEARLY":
			yr := y + k*r.Interval
			periodStart = at(yr, 1, 1)
			months := r.ByMonth
			if len(months) == 0 {
				months = []int{int(m)}
			}
			for _, mo := range months {
				cands = append(cands, r.monthDays(yr, time.Month(mo), d, at)...)
			}
		}
		if !periodStart.Before(limit) && !periodStart.Before(start) {
			break
		}
		if !r.Until.IsZero() && periodStart.After(r.Until) {
			break
		}
		if !emit(cands) {
			break
		}
	}
	return out
}

// monthDays lists a month's candidate days: BYMONTHDAY (limited by
// BYDAY's weekdays), else BYDAY expanded in the month, else the start's
// day of the month (no occurrence in a month without that day).
func (r *Rule) monthDays(y int, m time.Month, startDay int, at func(int, time.Month, int) time.Time) []time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	var out []time.Time
	switch {
	case len(r.ByMonthDay) > 0:
		for _, md := range r.ByMonthDay {
			day := md
			if md < 0 {
				day = last + md + 1
			}
			if day < 1 || day > last {
				continue
			}
			c := at(y, m, day)
			if r.dayOK(c) {
				out = append(out, c)
			}
		}
	case len(r.ByDay) > 0:
		for _, wd := range r.ByDay {
			var days []int
			for day := 1; day <= last; day++ {
				if time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Weekday() == wd.Day {
					days = append(days, day)
				}
			}
			switch {
			case wd.N == 0:
				for _, day := range days {
					out = append(out, at(y, m, day))
				}
			case wd.N > 0 && wd.N <= len(days):
				out = append(out, at(y, m, days[wd.N-1]))
			case wd.N < 0 && -wd.N <= len(days):
				out = append(out, at(y, m, days[len(days)+wd.N]))
			}
		}
	default:
		if startDay <= last {
			out = append(out, at(y, m, startDay))
		}
	}
	return out
}

// dayOK applies BYDAY's weekdays as a filter (DAILY rules and BYMONTHDAY).
func (r *Rule) dayOK(t time.Time) bool {
	if len(r.ByDay) == 0 {
		return true
	}
	return slices.ContainsFunc(r.ByDay, func(w WeekdayNum) bool { return w.Day == t.Weekday() })
}

func (r *Rule) monthOK(t time.Time) bool {
	return len(r.ByMonth) == 0 || slices.Contains(r.ByMonth, int(t.Month()))
}
