package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSince reads a time flag (--since, --created-after): a duration
// before now (with d for days) or a date or RFC 3339 time. Empty is the
// zero time.
func ParseSince(flag, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid --%s %q: want a duration such as 90m, 24h or 7d, or a time such as 2026-11-01 or 2026-11-01T08:00:00Z", flag, s)
}
