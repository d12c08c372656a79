package output

import (
	"fmt"
	"strings"
	"time"
)

// Time is a time in a JSON or YAML document: RFC 3339 in UTC with
// milliseconds, always three digits ("2026-11-01T12:00:00.000Z"), so every
// timestamp ssmctl prints has one shape and one length (time.Time's own
// encoding drops trailing zeros: ".67Z" beside ".665Z"). View types use
// *Time for their times; a document with a time.Time is refused.
type Time struct{ time.Time }

// jsonTimeLayout is RFC 3339 with exactly three fractional digits.
const jsonTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// NewTime is t in UTC as a document time; nil for the zero time, so an
// unknown time is left out (omitempty) or null.
func NewTime(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	return &Time{t.UTC()}
}

// MarshalJSON writes the time with millisecond precision in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(jsonTimeLayout) + `"`), nil
}

// TimeLabel is relative ("3m ago") for people at a terminal and RFC 3339
// (to the second) for scripts; nil is empty.
func TimeLabel(t *Time, now time.Time, tty bool) string {
	if t == nil {
		return ""
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	return ago(now.Sub(t.Time))
}

// DueLabel is TimeLabel for a time that may be ahead, such as an expiry:
// "in 22h" at a terminal until then, as TimeLabel after.
func DueLabel(t *Time, now time.Time, tty bool) string {
	if t == nil || !tty || !t.After(now) {
		return TimeLabel(t, now, tty)
	}
	return "in " + strings.TrimSuffix(ago(t.Sub(now)), " ago")
}

func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// FirstLine is s up to its first newline, for one-line table cells.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Count is n and the noun, plural unless n is 1: "1 parameter", "2
// parameters".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// FewNames lists names in a message: all of them up to five, else the
// first five "and N more".
func FewNames(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}
