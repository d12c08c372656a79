package commands

import (
	"unicode/utf8"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
)

// Truncating output as the agent does.

// truncatePrefix cuts s as the agent's pluginutil.StringPrefix does: a
// string of max characters or more keeps its first max-len(suffix) and
// gets the suffix. Lengths are bytes, as in the agent; a cut never splits
// a UTF-8 character.
func truncatePrefix(s string, max int, suffix string) string {
	if len(s) < max {
		return s
	}
	if max > len(suffix) {
		return utf8Prefix(s, max-len(suffix)) + suffix
	}
	return suffix[:max]
}

func utf8Prefix(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// truncateOutput builds a plugin's Output from stdout and stderr within
// capacity characters, following the agent's iohandler.TruncateOutput:
// stdout, then "\n----------ERROR-------\n" and stderr when there is any;
// when they do not fit, the longer one (or both, half each) is cut and
// marked.
func truncateOutput(stdout, stderr string, capacity int) string {
	title := ""
	if stderr != "" {
		title = nodes.OutputErrorTitle
	}
	room := capacity - len(title)
	if len(stdout)+len(stderr) < room {
		return stdout + title + stderr
	}
	if len(stdout) > room/2 && len(stderr) > room/2 {
		cut := (room - len(errorTruncatedSuffix) - len(outputTruncatedSuffix)) / 2
		return utf8Prefix(stdout, cut) + outputTruncatedSuffix + title + utf8Prefix(stderr, cut) + errorTruncatedSuffix
	}
	if len(stdout) <= room/2 {
		return stdout + title + utf8Prefix(stderr, room-len(errorTruncatedSuffix)-len(stdout)) + errorTruncatedSuffix
	}
	return utf8Prefix(stdout, room-len(outputTruncatedSuffix)-len(stderr)) + outputTruncatedSuffix + title + stderr
}
