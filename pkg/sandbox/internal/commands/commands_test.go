package commands

import (
	"strings"
	"testing"
)

func TestTruncation(t *testing.T) {
	t.Parallel()
	// Short stdout, long stderr: stdout whole, stderr cut.
	o := truncateOutput("ok\n", strings.Repeat("e", 5000), 2500)
	if len(o) != 2500 || !strings.HasPrefix(o, "ok\n\n----------ERROR-------\n") || !strings.HasSuffix(o, "\n---Error truncated----") {
		t.Errorf("short stdout: %d %q", len(o), o[:30])
	}
	if o := truncateOutput("x", "", 2500); o != "x" {
		t.Errorf("no stderr: %q", o)
	}
	if o := truncatePrefix(strings.Repeat("é", 20), 11, "--"); o != "éééé--" {
		t.Errorf("UTF-8 cut: %q", o)
	}
}
