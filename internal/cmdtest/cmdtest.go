// Package cmdtest runs ssmctl's commands in-process for the command
// packages' tests: buffer-backed streams, a fixed clock, an isolated
// config directory, a sandbox's AWS configuration, golden files, the
// shared fleet files and the AWS CLI as a second client. Only tests import
// it.
package cmdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/root"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Now is the clock of every CLI: 2026-11-01 12:05 UTC.
var Now = time.Date(2026, 11, 1, 12, 5, 0, 0, time.UTC)

// CLI is ssmctl with buffer streams, run in-process.
type CLI struct {
	F       *cmdutil.Factory
	Streams *output.Streams
	In      *bytes.Buffer
	Out     *bytes.Buffer
	ErrOut  *bytes.Buffer
}

// New returns a CLI whose AWS configuration is srv's (nil: none given; a
// command that needs AWS then loads the machine's).
func New(t testing.TB, srv *sandbox.Server) *CLI {
	t.Helper()
	streams, in, out, errOut := output.Test()
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	f := cmdutil.New(streams, func(k string) string { return env[k] })
	f.Now = func() time.Time { return Now }
	if srv != nil {
		f.AWSConfig = func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }
	}
	return &CLI{F: f, Streams: streams, In: in, Out: out, ErrOut: errOut}
}

// Run runs one command line and returns the exit code.
func (c *CLI) Run(ctx context.Context, args ...string) int {
	return root.Execute(ctx, c.F, args)
}

// RunWith runs one command line with cmd in place of the command of its
// name under the command at path (none: the root), e.g. a command built
// with a runF that captures its options.
func (c *CLI) RunWith(ctx context.Context, cmd func(f *cmdutil.Factory) *cobra.Command, path []string, args ...string) int {
	r := root.NewCmdRoot(c.F)
	root.Replace(r, cmd(c.F), path...)
	return root.ExecuteCmd(ctx, c.F, r, args)
}

// Golden compares got with testdata/NAME of the test's package; -update
// rewrites the file.
func Golden(t *testing.T, name string, got []byte) {
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

// Testdata is the path of a file in the repository's top-level testdata/:
// the shared fleets and the end-to-end scenarios.
func Testdata(name ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", "..", "testdata"}, name...)...)
}

// Fleet starts a sandbox with the shared fleet (testdata/fleet.yaml).
func Fleet(t *testing.T) *sandbox.Server {
	t.Helper()
	return sandbox.Start(t, sandbox.Options{FleetFile: Testdata("fleet.yaml")})
}

// AWSCLI runs the AWS CLI against srv with nothing from this machine's AWS
// configuration, and decodes its JSON output into out. A client nobody here
// wrote keeps the sandbox and ssmctl honest with each other.
func AWSCLI(t *testing.T, srv *sandbox.Server, out any, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI is required in CI (.ci/run installs it)")
		}
		t.Skip("aws not on PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, append(args, "--output", "json")...)
	cmd.Env = append(srv.Env(),
		"HOME="+dir,
		"PATH="+os.Getenv("PATH"),
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_PAGER=",
	)
	b, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("aws %v: %v\n%s", args, err, stderr)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, b)
	}
}
