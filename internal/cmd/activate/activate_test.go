package activate_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/activate"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// createWithF runs args with create's runF capturing the options.
func createWithF(t *testing.T, args ...string) (*activate.CreateOptions, int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	var got *activate.CreateOptions
	code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
		return activate.NewCmdCreate(f, func(o *activate.CreateOptions) error { got = o; return nil })
	}, []string{"activate"}, args...)
	return got, code, c.ErrOut.String()
}

func TestCreateFlags(t *testing.T) {
	o, code, stderr := createWithF(t, "activate", "create", "--role", "SSMServiceRole", "--name", "DevOnPrem", "--limit", "10",
		"--expires", "7d", "--tag", "Environment=Dev", "--registration-metadata", "k=v", "--code-file", "dev.act")
	if code != 0 || o == nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	in := o.Input
	if in.Role != "SSMServiceRole" || in.Name != "DevOnPrem" || in.Limit != 10 || !in.Expires.Equal(cmdtest.Now.Add(7*24*time.Hour)) ||
		in.Tags["Environment"] != "Dev" || in.Metadata["k"] != "v" || o.CodeFile != "dev.act" {
		t.Errorf("options: %+v", o)
	}
}

func TestCreateFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--role", "R", "--limit", "0"}, `invalid --limit "0": want 1 to 1000`},
		{[]string{"--role", "R", "--limit", "1001"}, `invalid --limit "1001": want 1 to 1000`},
		{[]string{"--role", "R", "--limit", "-1"}, `invalid --limit "-1": want 1 to 1000`},
		{[]string{"--role", "R", "--expires", "31d"}, "more than 30 days ahead"},
		{[]string{"--role", "R", "--expires", "tomorrow"}, `invalid --expires "tomorrow"`},
		{[]string{"--role", "arn:aws:iam::123456789012:role/R"}, "is an ARN"},
		{[]string{"--role", "R", "--tag", "k=v", "--tag", "k=w"}, "key k given twice"},
		{[]string{}, "no IAM role"},
	} {
		o, code, stderr := createWithF(t, append([]string{"activate", "create"}, tc.args...)...)
		if code != 252 || o != nil || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%q: exit %d, ran %v: %s; want 252 and %q", tc.args, code, o != nil, stderr, tc.msg)
		}
	}
}

func TestVerbArgumentErrors(t *testing.T) {
	c := cmdtest.New(t, nil)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"activate", "rm", "nope"}, `"nope" is not an activation ID`},
		{[]string{"activate", "nodes", "nope"}, `"nope" is not an activation ID`},
		{[]string{"activate", "deregister", "i-0a1b2c3d4e5f60001", "--yes"}, "is an EC2 instance"},
		{[]string{"activate", "deregister", "mi-0a1b2c3d4e5f60004"}, "refusing to deregister without --yes"},
		{[]string{"activate", "tier", "set", "premium"}, `invalid tier "premium"`},
	} {
		c.ErrOut.Reset()
		if code := c.Run(context.Background(), tc.args...); code != 252 || !strings.Contains(c.ErrOut.String(), tc.msg) {
			t.Errorf("%q: exit %d: %s; want 252 and %q", tc.args, code, c.ErrOut.String(), tc.msg)
		}
	}
}

func TestCreateOnSandbox(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{})
	c := cmdtest.New(t, srv)
	ctx := context.Background()

	if code := c.Run(ctx, "activate", "create", "--role", "SSMServiceRole", "--name", "DevOnPrem", "--limit", "10", "-o", "json"); code != 0 {
		t.Fatalf("create: exit %d: %s", code, c.ErrOut.String())
	}
	var created struct {
		ActivationID, ActivationCode, Region string
		Commands                             []struct{ Title, Shell string }
	}
	if err := json.Unmarshal(c.Out.Bytes(), &created); err != nil || created.ActivationCode == "" || created.Region != srv.Region() || len(created.Commands) != 4 {
		t.Fatalf("create -o json: %v\n%s", err, c.Out.String())
	}

	// --code-file: the pair in a 0600 file, the code nowhere on stdout.
	file := filepath.Join(t.TempDir(), "prod.act")
	c.Out.Reset()
	if code := c.Run(ctx, "activate", "create", "--role", "SSMServiceRole", "--name", "ProdOnPrem", "--code-file", file); code != 0 {
		t.Fatalf("create --code-file: exit %d: %s", code, c.ErrOut.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("code file mode %o", fi.Mode().Perm())
	}
	var codeLine string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "ACTIVATION_CODE="); ok {
			codeLine = v
		}
	}
	if codeLine == "" || strings.Contains(c.Out.String(), codeLine) || !strings.Contains(c.Out.String(), `-code "$ACTIVATION_CODE"`) {
		t.Errorf("code file %q, stdout:\n%s", b, c.Out.String())
	}

	c.Out.Reset()
	if code := c.Run(ctx, "activate", "ls", "-o", "json", "--query", "[].[name, registrationLimit]"); code != 0 {
		t.Fatalf("ls: exit %d: %s", code, c.ErrOut.String())
	}
	if got := strings.Join(strings.Fields(c.Out.String()), ""); got != `[["DevOnPrem",10],["ProdOnPrem",1]]` {
		t.Errorf("ls: %s", got)
	}

	c.Out.Reset()
	if code := c.Run(ctx, "activate", "tier", "set", "Advanced"); code != 0 {
		t.Fatalf("tier set: exit %d: %s", code, c.ErrOut.String())
	}
	if code := c.Run(ctx, "activate", "tier", "-o", "json", "--query", "tier"); code != 0 || strings.TrimSpace(c.Out.String()) != `"advanced"` {
		t.Errorf("tier: exit %d: %s %s", code, c.Out.String(), c.ErrOut.String())
	}
}
