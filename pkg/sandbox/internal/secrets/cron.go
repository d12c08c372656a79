package secrets

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cron() rotation schedules, as AWS's "Rotation schedules" page describes
// them: cron(Minutes Hours Day-of-month Month Day-of-week Year), in UTC;
// minutes must be 0 (windows open on the hour), hours 0-23, day-of-month
// 1-31 with , - * ? / L, month 1-12 or JAN-DEC with , - * /, day-of-week
// 1-7 or SUN-SAT with # , - * ? / L, year must be *; one of day-of-month
// and day-of-week is ?. Hour increments reset each day
// (cron(0 4/12 * * ? *) is 4:00 and 16:00 every day).

// cronSchedule is a parsed cron() expression.
type cronSchedule struct {
	hours  []int      // the hours of the day the window opens, ascending
	months [13]bool   // 1..12
	dom    *cronField // nil: ?
	dow    *cronField // nil: ?
}

// cronField is a day-of-month or day-of-week field.
type cronField struct {
	set      [32]bool // values: 1..31 (day of month) or 1..7 (day of week, 1 = SUN)
	last     bool     // L in day-of-month: the last day of the month
	lastDow  int      // nL in day-of-week: the last such weekday of the month (0: none)
	nth, dow int      // d#n in day-of-week: the nth such weekday (0: none)
}

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// parseCron parses the inside of cron(...).
func parseCron(body string) (*cronSchedule, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("it must have six fields (minutes hours day-of-month month day-of-week year)")
	}
	if f[0] != "0" {
		return nil, fmt.Errorf("minutes must be 0: rotation windows open on the hour")
	}
	if f[5] != "*" {
		return nil, fmt.Errorf("the year must be *")
	}
	if (f[2] == "?") == (f[4] == "?") {
		return nil, fmt.Errorf("one of day-of-month and day-of-week must be ?, not both")
	}
	c := &cronSchedule{}
	hours, err := parseSet(f[1], 0, 23, nil)
	if err != nil {
		return nil, fmt.Errorf("hours: %v", err)
	}
	for h := 0; h <= 23; h++ {
		if hours[h] {
			c.hours = append(c.hours, h)
		}
	}
	months, err := parseSet(f[3], 1, 12, monthNames)
	if err != nil {
		return nil, fmt.Errorf("month: %v", err)
	}
	copy(c.months[:], months[:13])
	if f[2] != "?" {
		c.dom = &cronField{}
		if f[2] == "L" {
			c.dom.last = true
		} else {
			s, err := parseSet(f[2], 1, 31, nil)
			if err != nil {
				return nil, fmt.Errorf("day-of-month: %v", err)
			}
			c.dom.set = s
		}
	}
	if f[4] != "?" {
		c.dow = &cronField{}
		v := f[4]
		switch {
		case strings.Contains(v, "#"):
			d, n, _ := strings.Cut(v, "#")
			day, err := value(d, 1, 7, dayNames)
			if err != nil {
				return nil, fmt.Errorf("day-of-week: %v", err)
			}
			nth, err := strconv.Atoi(n)
			if err != nil || nth < 1 || nth > 5 {
				return nil, fmt.Errorf("day-of-week: %q: # takes 1 to 5", v)
			}
			c.dow.dow, c.dow.nth = day, nth
		case v == "L":
			c.dow.lastDow = 7 // L alone: the last day of the week, Saturday
		case strings.HasSuffix(v, "L"):
			day, err := value(strings.TrimSuffix(v, "L"), 1, 7, dayNames)
			if err != nil {
				return nil, fmt.Errorf("day-of-week: %v", err)
			}
			c.dow.lastDow = day
		default:
			s, err := parseSet(v, 1, 7, dayNames)
			if err != nil {
				return nil, fmt.Errorf("day-of-week: %v", err)
			}
			c.dow.set = s
		}
	}
	return c, nil
}

// parseSet reads a field of values, ranges (a-b), increments (a/n, */n,
// a-b/n) and lists; names are the values' names from lo on.
func parseSet(field string, lo, hi int, names []string) ([32]bool, error) {
	var set [32]bool
	for _, part := range strings.Split(field, ",") {
		rng, step := part, 1
		if r, s, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return set, fmt.Errorf("%q: the increment must be a positive number", part)
			}
			rng, step = r, n
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = value(a, lo, hi, names); err != nil {
				return set, err
			}
			if to, err = value(b, lo, hi, names); err != nil {
				return set, err
			}
			if to < from {
				return set, fmt.Errorf("%q: the range runs backwards", part)
			}
		default:
			v, err := value(rng, lo, hi, names)
			if err != nil {
				return set, err
			}
			from = v
			if step == 1 {
				to = v
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func value(s string, lo, hi int, names []string) (int, error) {
	if i := slices.Index(names, strings.ToUpper(s)); i >= 0 {
		return lo + i, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%q is not %d to %d", s, lo, hi)
	}
	return v, nil
}

// minGap is the shortest time between two windows' openings, across
// midnight too (hour increments reset each day); 24h for one hour a day.
func (c *cronSchedule) minGap() time.Duration {
	gap := 24
	for i, h := range c.hours {
		next := c.hours[0] + 24
		if i+1 < len(c.hours) {
			next = c.hours[i+1]
		}
		gap = min(gap, next-h)
	}
	return time.Duration(gap) * time.Hour
}

// inHours says whether the schedule is in hours (more than one window a
// day) rather than in days.
func (c *cronSchedule) inHours() bool { return len(c.hours) > 1 }

// dayMatches says whether the schedule has windows on day d (UTC).
func (c *cronSchedule) dayMatches(d time.Time) bool {
	if !c.months[int(d.Month())] {
		return false
	}
	lastDay := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if c.dom != nil {
		if c.dom.last {
			return d.Day() == lastDay
		}
		return c.dom.set[d.Day()]
	}
	wd := int(d.Weekday()) + 1 // 1 = SUN
	switch {
	case c.dow.nth > 0:
		return wd == c.dow.dow && (d.Day()-1)/7+1 == c.dow.nth
	case c.dow.lastDow > 0:
		return wd == c.dow.lastDow && d.Day()+7 > lastDay
	}
	return c.dow.set[wd]
}

// next is the first window opening strictly after t, within about five
// years (a schedule such as cron(0 0 30 2 ? *) never opens: ok false).
func (c *cronSchedule) next(t time.Time) (time.Time, bool) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for range 5 * 366 {
		if c.dayMatches(day) {
			for _, h := range c.hours {
				if at := day.Add(time.Duration(h) * time.Hour); at.After(t) {
					return at, true
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}
