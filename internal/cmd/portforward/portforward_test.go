package portforward_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/portforward"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// withF runs args with port-forward's runF capturing the options.
func withF(t *testing.T, args ...string) (*portforward.Options, int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	var got *portforward.Options
	code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
		return portforward.NewCmdPortForward(f, func(o *portforward.Options) error { got = o; return nil })
	}, nil, args...)
	return got, code, c.ErrOut.String()
}

func TestPortForwardFlags(t *testing.T) {
	o, code, stderr := withF(t, "port-forward", "web-1", "5432", "15432:db.internal:5432", "8080:80")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := []session.Forward{{Remote: 5432}, {Local: 15432, Host: "db.internal", Remote: 5432}, {Local: 8080, Remote: 80}}
	if !reflect.DeepEqual(o.Forwards, want) {
		t.Errorf("forwards %+v, want %+v", o.Forwards, want)
	}
	if o.Address != "127.0.0.1" || !o.Reconnect || o.Sessions != 1 || o.ReadyFile != "" {
		t.Errorf("defaults: address %q reconnect %v sessions %d ready-file %q", o.Address, o.Reconnect, o.Sessions, o.ReadyFile)
	}
	if len(o.Request.Specs) != 1 || o.Request.Specs[0].Raw != "web-1" {
		t.Errorf("target %v", o.Request.Specs)
	}

	// Free local ports (LOCAL 0 or omitted) may repeat.
	if _, code, stderr := withF(t, "port-forward", "web-1", "7", "0:7", ":db:7"); code != 0 {
		t.Errorf("free local ports: exit %d: %s", code, stderr)
	}

	o, code, stderr = withF(t, "port-forward", "tag:Role=web", "80", "--address", "0.0.0.0", "--sessions", "32",
		"--reconnect=false", "--ready-file", "r", "--pick", "any", "--reason", "INC-7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if o.Address != "0.0.0.0" || o.Sessions != 32 || o.Reconnect || o.ReadyFile != "r" || !o.Request.PickAny || o.Request.Reason != "INC-7" {
		t.Errorf("flags not taken: %+v", o)
	}
}

func TestPortForwardFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
		help bool // a pointer to --help follows
	}{
		{[]string{"port-forward"}, "no target", true},
		{[]string{"port-forward", "web-1"}, "no SPEC", true},
		{[]string{"port-forward", "web-1", "80", "--sessions", "0"}, "invalid --sessions 0: 1 to 32", true},
		{[]string{"port-forward", "web-1", "80", "--pick", "first"}, "invalid --pick", true},
		{[]string{"port-forward", "web-1", "80", "--address", "localhost:80"}, "invalid --address", true},
		{[]string{"port-forward", "web-1", "80:x"}, `invalid forward "80:x"`, false},
		{[]string{"port-forward", "web-1", "8080:80", "8080:db:5432"}, `invalid forward "8080:db:5432": LOCAL 8080 is already "8080:80"'s`, false},
		{[]string{"port-forward", "web-1", "80", "--reason", strings.Repeat("r", 257)}, "--reason is 257 characters", false},
	} {
		o, code, stderr := withF(t, tc.args...)
		if code != 252 || o != nil {
			t.Errorf("%q: exit %d, ran %v; want 252 before running", tc.args, code, o != nil)
		}
		if !strings.Contains(stderr, tc.msg) {
			t.Errorf("%q: stderr %q lacks %q", tc.args, stderr, tc.msg)
		}
		if got := strings.Contains(stderr, "--help"); got != tc.help {
			t.Errorf("%q: pointer to --help %v, want %v: %q", tc.args, got, tc.help, stderr)
		}
	}
}
