package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// testCLI runs ssmctl in-process against a sandbox with buffer streams.
type testCLI struct {
	f       *factory
	streams *output.Streams
	out     *bytes.Buffer
	errOut  *bytes.Buffer
}

func newTestCLI(t *testing.T, srv *sandbox.Server) *testCLI {
	t.Helper()
	streams, _, out, errOut := output.Test()
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	f := newFactory(streams, func(k string) string { return env[k] })
	f.now = func() time.Time { return time.Date(2026, 11, 1, 12, 5, 0, 0, time.UTC) }
	if srv != nil {
		f.awsConfig = func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }
	}
	return &testCLI{f: f, streams: streams, out: out, errOut: errOut}
}

func (c *testCLI) run(ctx context.Context, args ...string) int {
	return execute(ctx, c.f, args)
}

func testFleet(t *testing.T) *sandbox.Server {
	t.Helper()
	return sandbox.Start(t, sandbox.Options{FleetFile: filepath.Join("testdata", "fleet.yaml")})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// Interrupting a command (SIGINT cancels the context) exits 130.
func TestInterruptExits130(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{Latency: 2 * time.Second})
	c := newTestCLI(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	code := c.run(ctx, "nodes")
	if code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130; stderr %q", code, c.errOut)
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Errorf("took %v to stop after the interrupt", time.Since(start))
	}
	if got := c.errOut.String(); got != "ssmctl: interrupted\n" {
		t.Errorf("stderr = %q", got)
	}
}

type fakeAPIError struct{}

func (fakeAPIError) Error() string                 { return "api error AccessDeniedException: no" }
func (fakeAPIError) ErrorCode() string             { return "AccessDeniedException" }
func (fakeAPIError) ErrorMessage() string          { return "User is not authorized\nto do that" }
func (fakeAPIError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// printError is the one place errors are printed.
func TestPrintError(t *testing.T) {
	root := newRootCmd(newTestCLI(t, nil).f)
	nodes, _, _ := root.Find([]string{"nodes"})
	tests := []struct {
		name string
		err  error
		want string
		code int
	}{
		{"nil", nil, "", 0},
		{"silent", exitcode.Silent(42), "", 42},
		{"usage from parsing", newUsageError(nodes, errors.New("unknown flag: --x")), "ssmctl: unknown flag: --x\nRun 'ssmctl nodes --help' for usage.\n", 252},
		{"usage", exitcode.Usagef("no managed node matches %q", "web-*"), "ssmctl: no managed node matches \"web-*\"\n", 252},
		{"aws", &smithy.OperationError{ServiceID: "SSM", OperationName: "DescribeInstanceInformation", Err: fakeAPIError{}},
			"ssmctl: DescribeInstanceInformation: AccessDeniedException: User is not authorized\n", 254},
		{"other", errors.New("boom\nsecond line"), "ssmctl: boom\n", 255},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			printError(&buf, tt.err)
			if buf.String() != tt.want {
				t.Errorf("printed %q, want %q", buf.String(), tt.want)
			}
			if got := exitcode.Code(tt.err); got != tt.code {
				t.Errorf("code %d, want %d", got, tt.code)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	c := newTestCLI(t, nil)
	if code := c.run(context.Background(), "version", "-o", "json", "--query", "sessionManagerPluginVersion"); code != 0 {
		t.Fatalf("exit %d: %s", code, c.errOut)
	}
	if got := strings.TrimSpace(c.out.String()); got != `"1.3.0.0"` {
		t.Errorf("plugin version = %s", got)
	}
}

func TestHelpTopics(t *testing.T) {
	for _, topic := range []string{"exit-codes", "environment"} {
		c := newTestCLI(t, nil)
		if code := c.run(context.Background(), "help", topic); code != 0 {
			t.Fatalf("help %s: exit %d", topic, code)
		}
		if !strings.Contains(c.out.String(), "252") && !strings.Contains(c.out.String(), "SSMCTL_") {
			t.Errorf("help %s printed %q", topic, c.out)
		}
	}
}

// Every command has a short description and examples.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(newTestCLI(t, nil).f)
	for _, c := range allCommands(root) {
		if c.Hidden || !c.IsAvailableCommand() || c.Name() == "help" || strings.HasPrefix(c.CommandPath(), "ssmctl completion ") {
			continue
		}
		if c.Short == "" {
			t.Errorf("%s has no short description", c.CommandPath())
		}
		if c.Example == "" && c.Runnable() {
			t.Errorf("%s has no examples", c.CommandPath())
		}
	}
}

// The generated reference in docs/ matches the commands.
func TestReferenceDocsCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := writeReference(newRootCmd(newTestCLI(t, nil).f), dir); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"reference", "man"} {
		want := readTree(t, filepath.Join(dir, sub))
		got := readTree(t, filepath.Join("..", "..", "docs", sub))
		for name, w := range want {
			if g, ok := got[name]; !ok || g != w {
				t.Errorf("docs/%s/%s is stale or missing: run `make docs`", sub, name)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("docs/%s/%s is no longer generated: run `make docs`", sub, name)
			}
		}
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}
