package secret_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ssmctl/ssmctl/internal/cmd/secret"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// exec hands the values to the program in its environment, never argv,
// with later secrets overriding earlier ones, as param exec does.
func TestSecretExecReplacesProcess(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{})
	client := secretsmanager.NewFromConfig(srv.AWSConfig())
	for name, v := range map[string]string{"prod/db": `{"user":"app","password":"hunter2","db-host":"h"}`, "prod/api-key": "k-1", "prod/over": `{"user":"other"}`} {
		if _, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	var argv0 string
	var argv, env []string
	saved := *secret.ExecProcess
	*secret.ExecProcess = func(a0 string, a []string, e []string) error {
		argv0, argv, env = a0, a, e
		return nil
	}
	t.Cleanup(func() { *secret.ExecProcess = saved })
	c := cmdtest.New(t, srv)
	code := c.Run(context.Background(), "secret", "exec", "prod/db", "prod/api-key", "prod/over", "--", "sh", "-c", "echo $USER")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, c.ErrOut.String())
	}
	if !strings.HasSuffix(argv0, "/sh") || !reflect.DeepEqual(argv, []string{"sh", "-c", "echo $USER"}) {
		t.Errorf("argv0 %q argv %q", argv0, argv)
	}
	for _, w := range []string{"USER=other", "PASSWORD=hunter2", "DB_HOST=h", "API_KEY=k-1"} {
		if !slices.Contains(env, w) {
			t.Errorf("env lacks %s", w)
		}
	}
	if slices.Contains(env, "USER=app") {
		t.Error("the earlier secret's USER survived")
	}
	if got := c.ErrOut.String(); got != "ssmctl: USER from prod/over.user overrides prod/db.user\n" {
		t.Errorf("stderr %q", got)
	}
	for _, a := range append(argv, argv0) {
		if strings.Contains(a, "hunter2") {
			t.Error("a value reached argv")
		}
	}
}

// Usage errors are found before any call.
func TestSecretUsageErrors(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{})
	for _, args := range [][]string{
		{"secret", "get"},
		{"secret", "get", "a", "--field", "x", "--value-only"},
		{"secret", "create", "a", "v", "--json", "k=v"},
		{"secret", "create", "a", "--json", "novalue"},
		{"secret", "rotate", "a", "--every", "30d", "--schedule", "rate(1 day)"},
		{"secret", "rotate", "a", "--cancel", "--lambda", "arn:x"},
		{"secret", "rotate", "a", "--window", "90m"},
		{"secret", "rm", "a", "--force", "--recovery-window", "7", "--yes"},
		{"secret", "update", "a"},
		{"secret", "exec", "--", "env"},
		{"secret", "set-field", "a", "k"},
	} {
		c := cmdtest.New(t, srv)
		if code := c.Run(context.Background(), args...); code != exitcode.Usage {
			t.Errorf("%v: exit %d, want 252: %s", args, code, c.ErrOut.String())
		}
	}
	if n := srv.Stats().Operations; len(n) != 0 {
		for op, st := range n {
			if strings.HasPrefix(op, "secretsmanager.") && st.Calls > 0 {
				t.Errorf("%s called %d times", op, st.Calls)
			}
		}
	}
}

// At a terminal describe shows the next rotation ahead ("in 29d", not
// "just now") and the last access as the date Secrets Manager keeps
// ("today", not hours since midnight); history too.
func TestSecretDescribeTerminalTimes(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{})
	client := secretsmanager.NewFromConfig(srv.AWSConfig())
	ctx := context.Background()
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String(`{"password":"p"}`)}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"secret", "get", "db", "--field", "password"},
		{"secret", "rotate", "db", "--lambda", "arn:aws:lambda:us-east-1:123456789012:function:rot", "--every", "30d", "--wait", "5s"},
	} {
		c := cmdtest.New(t, srv)
		if code := c.Run(ctx, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, c.ErrOut.String())
		}
	}
	// The sandbox keeps the machine's time: so does this CLI.
	c := cmdtest.New(t, srv)
	c.F.Now = time.Now
	c.Streams.SetStdoutTTY(true)
	if code := c.Run(ctx, "secret", "describe", "db"); code != 0 {
		t.Fatalf("describe: exit %d: %s", code, c.ErrOut.String())
	}
	out := c.Out.String()
	for _, want := range []string{"Next rotation    in 29d", "Last accessed    today"} {
		if !strings.Contains(out, want) {
			t.Errorf("describe at a terminal lacks %q:\n%s", want, out)
		}
	}
	c = cmdtest.New(t, srv)
	c.F.Now = time.Now
	c.Streams.SetStdoutTTY(true)
	if code := c.Run(ctx, "secret", "history", "db"); code != 0 {
		t.Fatalf("history: exit %d: %s", code, c.ErrOut.String())
	}
	if !strings.Contains(c.Out.String(), "today") || strings.Contains(c.Out.String(), "h ago") {
		t.Errorf("history at a terminal:\n%s", c.Out.String())
	}
}
