package root_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/root"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/internal/gendocs"
	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// Interrupting a command (SIGINT cancels the context) exits 130.
func TestInterruptExits130(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{Latency: 2 * time.Second})
	c := cmdtest.New(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	code := c.Run(ctx, "nodes")
	if code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130; stderr %q", code, c.ErrOut)
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Errorf("took %v to stop after the interrupt", time.Since(start))
	}
	if got := c.ErrOut.String(); got != "ssmctl: interrupted\n" {
		t.Errorf("stderr = %q", got)
	}
}

type fakeAPIError struct{}

func (fakeAPIError) Error() string                 { return "api error AccessDeniedException: no" }
func (fakeAPIError) ErrorCode() string             { return "AccessDeniedException" }
func (fakeAPIError) ErrorMessage() string          { return "User is not authorized\nto do that" }
func (fakeAPIError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// PrintError is the one place errors are printed.
func TestPrintError(t *testing.T) {
	r := root.NewCmdRoot(cmdtest.New(t, nil).F)
	nodes, _, _ := r.Find([]string{"nodes"})
	tests := []struct {
		name string
		err  error
		want string
		code int
	}{
		{"nil", nil, "", 0},
		{"silent", exitcode.Silent(42), "", 42},
		{"usage from parsing", cmdutil.FlagErrorf("%w", errors.New("unknown flag: --x")), "ssmctl: unknown flag: --x\nRun 'ssmctl nodes --help' for usage.\n", 252},
		{"usage", exitcode.Usagef("no managed node matches %q", "web-*"), "ssmctl: no managed node matches \"web-*\"\n", 252},
		{"aws", &smithy.OperationError{ServiceID: "SSM", OperationName: "DescribeInstanceInformation", Err: fakeAPIError{}},
			"ssmctl: DescribeInstanceInformation: AccessDeniedException: User is not authorized\n", 254},
		{"other", errors.New("boom\nsecond line"), "ssmctl: boom\n", 255},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			root.PrintError(&buf, nodes, tt.err)
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
	c := cmdtest.New(t, nil)
	if code := c.Run(context.Background(), "version", "-o", "json", "--query", "sessionManagerPluginVersion"); code != 0 {
		t.Fatalf("exit %d: %s", code, c.ErrOut)
	}
	if got := strings.TrimSpace(c.Out.String()); got != `"1.3.0.0"` {
		t.Errorf("plugin version = %s", got)
	}
}

func TestHelpTopics(t *testing.T) {
	for _, topic := range []string{"exit-codes", "environment"} {
		c := cmdtest.New(t, nil)
		if code := c.Run(context.Background(), "help", topic); code != 0 {
			t.Fatalf("help %s: exit %d", topic, code)
		}
		if !strings.Contains(c.Out.String(), "252") && !strings.Contains(c.Out.String(), "SSMCTL_") {
			t.Errorf("help %s printed %q", topic, c.Out)
		}
	}
}

// Every command has a short description and examples.
func TestEveryCommandHasExamples(t *testing.T) {
	r := root.NewCmdRoot(cmdtest.New(t, nil).F)
	for _, c := range allCommands(r) {
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
	if err := gendocs.Write(root.NewCmdRoot(cmdtest.New(t, nil).F), dir); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"reference", "man"} {
		want := readTree(t, filepath.Join(dir, sub))
		got := readTree(t, filepath.Join("..", "..", "..", "docs", sub))
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

func TestPluginName(t *testing.T) {
	for name, want := range map[string]bool{"session-manager-plugin": true, "/usr/local/bin/session-manager-plugin": true,
		`C:\x\session-manager-plugin.exe`: false, "ssmctl": false, "session-manager-plugin-x": false} {
		if got := root.IsPluginName(name); got != want {
			t.Errorf("isPluginName(%q) = %v", name, got)
		}
	}
}

// A command that went on past failed items gets one line per failure,
// and only the first line of each.
func TestPrintItemErrors(t *testing.T) {
	err := cmdutil.ItemsError([]cmdutil.Failure{
		{Item: "/a", Err: exitcode.New(exitcode.AWS, "AccessDenied")},
		{Err: errors.New("parameter not found: /b")},
	}, "")
	var buf bytes.Buffer
	root.PrintError(&buf, nil, err)
	if want := "ssmctl: /a: AccessDenied\nssmctl: parameter not found: /b\n"; buf.String() != want {
		t.Errorf("printed %q, want %q", buf.String(), want)
	}
	if exitcode.Code(err) != exitcode.AWS {
		t.Errorf("code %d", exitcode.Code(err))
	}
}

// Root help and the README's first paragraph promise only what exists:
// each feature still to come is named only once its command is registered.
func TestIntroPromisesOnlyWhatExists(t *testing.T) {
	r := root.NewCmdRoot(cmdtest.New(t, nil).F)
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(strings.SplitN(string(readme), "\n\n", 3)[1], "\n- ", 2)[0]
	for cmd, words := range map[string][]string{
		"port-forward": {"tunnel"},
		"secret":       {"secrets"},
		"activate":     {"activation"},
		"opsitem":      {"OpsItem"},
		"patch":        {"patching"},
	} {
		if c, _, err := r.Find([]string{cmd}); err == nil && c != r {
			continue
		}
		for _, w := range words {
			for name, text := range map[string]string{"root --help": r.Long, "README's first paragraph": first} {
				if strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
					t.Errorf("%s mentions %q but there is no %q command:\n%s", name, w, cmd, text)
				}
			}
		}
	}
}

// Every package-level regular expression in the binary compiles: they are
// compiled on first use (internal/lazyre), so a bad one would otherwise
// only show when a user reached it.
func TestPatternsCompile(t *testing.T) {
	n, err := lazyre.Check()
	if err != nil {
		t.Fatal(err)
	}
	if n < 80 {
		t.Errorf("only %d patterns registered: is ssmctl's tree (with the sandbox) linked into this test?", n)
	}
}
