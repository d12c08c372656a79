package output

import (
	"fmt"
	"strings"
	"time"
)

// TimeLabel is relative ("3m ago") for people at a terminal and RFC 3339
// for scripts; nil is empty.
func TimeLabel(t *time.Time, now time.Time, tty bool) string {
	if t == nil {
		return ""
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	return ago(now.Sub(*t))
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

// FewNames lists names in a message: all of them up to five, else the
// first five "and N more".
func FewNames(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}
