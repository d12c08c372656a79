package main

import (
	"strings"
	"testing"
	"time"
)

func TestPromptByte(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      byte
	}{
		{"ssmctl", "Starting session with SessionId: sandbox-user-0a (web-1)\r\n# ", '#'},
		{"plugin", "\r\nStarting session with SessionId: sandbox-user-0a\r\n\r\n$ ", '$'},
		{"status line not ended", "Starting session with SessionId: sandbox-user-0a", 0},
		{"nothing from the node yet", "Starting session with SessionId: sandbox-user-0a\r\n\r\n", 0},
		{"no status line", "# ", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := promptByte([]byte(tc.out)); got != tc.want {
				t.Errorf("promptByte(%q) = %q, want %q", tc.out, got, tc.want)
			}
			if got := remotePromptStarted([]byte(tc.out)); got != (tc.want != 0) {
				t.Errorf("remotePromptStarted(%q) = %v", tc.out, got)
			}
		})
	}
}

func TestSessionChecks(t *testing.T) {
	mk := func(label string, ms ...int) row {
		r := row{Cmd: command{Label: label}}
		for _, m := range ms {
			r.Samples = append(r.Samples, sample{Wall: time.Duration(m) * time.Millisecond})
		}
		return r
	}
	for _, tc := range []struct {
		ssmctl, cli int
		want        string
	}{
		{100, 300, "met"},
		{100, 299, "**not met**"},
	} {
		lines := sessionChecks([]row{mk("ssmctl", tc.ssmctl), mk("aws", tc.cli)}, nil)
		if len(lines) != 1 || !strings.HasSuffix(lines[0], ": "+tc.want+".") {
			t.Errorf("%d ms vs %d ms: %q, want the target %s", tc.ssmctl, tc.cli, lines, tc.want)
		}
	}
}
