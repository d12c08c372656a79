package session_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	sessioncmd "github.com/ssmctl/ssmctl/internal/cmd/session"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// sessionWithF runs args with the session command's runF capturing the
// options.
func sessionWithF(t *testing.T, args ...string) (*sessioncmd.Options, int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	var got *sessioncmd.Options
	code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
		return sessioncmd.NewCmdSession(f, func(o *sessioncmd.Options) error { got = o; return nil })
	}, nil, args...)
	return got, code, c.ErrOut.String()
}

func TestSessionFlags(t *testing.T) {
	tests := []struct {
		args    []string
		doc     string
		params  map[string][]string
		oneShot bool
	}{
		{[]string{"session", "web-1"}, "", nil, false},
		{[]string{"session", "web-1", "--reason", "INC-1", "--pick", "any"}, "", nil, false},
		// A one-shot command keeps its words; the line is built for the
		// node's shell once the node is known (pkg/session forNode).
		{[]string{"session", "web-1", "--", "printf", `%s\n`, "a b"}, "", nil, true},
		{[]string{"session", "web-1", "--", "ls | wc -l"}, "", nil, true},
		{[]string{"session", "web-1", "--command", "top"}, "AWS-StartInteractiveCommand",
			map[string][]string{"command": {"top"}}, false},
		{[]string{"session", "web-1", "--document", "MyDoc", "--param", "a=1", "--param", "a=2"}, "MyDoc",
			map[string][]string{"a": {"1", "2"}}, false},
	}
	for _, tc := range tests {
		o, code, stderr := sessionWithF(t, tc.args...)
		if code != 0 || o == nil {
			t.Errorf("%q: exit %d: %s", tc.args, code, stderr)
			continue
		}
		r := o.Request
		if tc.oneShot && !slices.Equal(r.Command, tc.args[3:]) {
			t.Errorf("%q: command %q", tc.args, r.Command)
		}
		if r.Document != tc.doc || o.OneShot != tc.oneShot || len(r.Specs) != 1 || r.Specs[0].Raw != "web-1" {
			t.Errorf("%q: document %q oneShot %v specs %v", tc.args, r.Document, o.OneShot, r.Specs)
		}
		if len(r.Parameters) != len(tc.params) {
			t.Errorf("%q: parameters %v, want %v", tc.args, r.Parameters, tc.params)
		}
		for k, v := range tc.params {
			if strings.Join(r.Parameters[k], "\x00") != strings.Join(v, "\x00") {
				t.Errorf("%q: parameter %s = %q, want %q", tc.args, k, r.Parameters[k], v)
			}
		}
	}
}

func TestSessionFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"session"}, "no target"},
		{[]string{"session", "web-1", "--"}, "nothing after --"},
		{[]string{"session", "web-1", "--document", "X-Doc", "--", "ls"}, "takes no --document"},
		{[]string{"session", "web-1", "--record", "f.cast", "--", "ls"}, "--record records interactive sessions"},
		{[]string{"session", "web-1", "--command", "top", "--document", "Other"}, "cannot be used with --document"},
		{[]string{"session", "web-1", "--param", "a=1"}, "--param needs --document"},
		{[]string{"session", "web-1", "--document", "D-1", "--param", "novalue"}, "want key=value"},
		{[]string{"session", "web-1", "--pick", "first"}, "invalid --pick"},
		{[]string{"session", "web-1", "--record-input"}, "needs --record"},
		{[]string{"session", "web-1", "--reason", strings.Repeat("x", 257)}, "at most 256"},
		{[]string{"session", "web-1", "--document", "a b"}, "invalid document name"},
		{[]string{"session", "tag:"}, ""},
	} {
		_, code, stderr := sessionWithF(t, tc.args...)
		if code != exitcode.Usage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want 252 with %q", tc.args, code, stderr, tc.msg)
		}
	}
}
