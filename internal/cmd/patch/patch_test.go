package patch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/patch"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
)

// patchWithF runs args with one patch subcommand replaced by build's,
// which captures its options through runF. AWS must not be called.
func patchWithF(t *testing.T, build func(f *cmdutil.Factory) *cobra.Command, args ...string) (int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	c.F.AWSConfig = func(context.Context) (aws.Config, error) {
		t.Error("AWS configuration loaded: a usage check came too late")
		return aws.Config{}, errors.New("no AWS in this test")
	}
	code := c.RunWith(context.Background(), build, []string{"patch"}, args...)
	return code, c.ErrOut.String()
}

func TestInstallFlags(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`[{"OperatingSystem":"UBUNTU","ApprovedPatches":["openssl"]}]`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"Name":"x","OperatingSystem":"WINDOWS"}`), 0o600)

	var got *patch.InstallOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return patch.NewCmdInstall(f, func(o *patch.InstallOptions) error { got = o; return nil })
	}
	code, stderr := patchWithF(t, build, "patch", "install", "web-1", "-t", "tag:Env=prod", "--reboot", "noreboot", "--baseline-override", good, "--max-concurrency", "10%", "--max-errors", "2", "--ping", "online", "--delivery-timeout", "90s")
	if code != 0 || got == nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	r := got.Request
	if r.Operation != "Install" || r.RebootOption != "NoReboot" || r.Override != good || len(r.Specs) != 2 || r.MaxConcurrency != "10%" || r.MaxErrors != "2" || len(r.Ping) != 1 || r.Ping[0] != "Online" {
		t.Errorf("request %+v", r)
	}
	req, err := r.Request()
	if err != nil || req.Parameters["BaselineOverride"][0] != "file://"+good || len(req.Ping) != 1 || req.Ping[0] != "Online" || req.DeliveryTimeout != 90*time.Second {
		t.Errorf("run request: %v %+v", err, req.Parameters)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"patch", "install", "web-1", "--reboot", "always"}, `invalid --reboot "always"`},
		{[]string{"patch", "install", "web-1", "--baseline-override", bad}, "has neither ApprovalRules nor ApprovedPatches"},
		{[]string{"patch", "install", "web-1", "--baseline-override", filepath.Join(dir, "none.json")}, "no such file"},
		{[]string{"patch", "install"}, "no target"},
		{[]string{"patch", "install", "web-1", "--max-errors", "many"}, "max-errors"},
		{[]string{"patch", "install", "web-1", "--ping", "sleeping"}, `invalid --ping "sleeping"`},
		{[]string{"patch", "install", "web-1", "--delivery-timeout", "10s"}, `invalid --delivery-timeout "10s": want whole seconds from 30s to 720h`},
		{[]string{"patch", "scan", "web-1", "--delivery-timeout", "0s"}, `invalid --delivery-timeout "0s": want whole seconds from 30s to 720h`},
	} {
		got = nil
		code, stderr := patchWithF(t, build, tc.args...)
		if code != 252 || got != nil || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 252 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestBaselinesAndListFlags(t *testing.T) {
	var b *patch.BaselinesOptions
	code, stderr := patchWithF(t, func(f *cmdutil.Factory) *cobra.Command {
		return patch.NewCmdBaselines(f, func(o *patch.BaselinesOptions) error { b = o; return nil })
	}, "patch", "baselines", "--os", "ubuntu", "--owner", "self")
	if code != 0 || b.OS != "UBUNTU" || b.Owner != "Self" {
		t.Errorf("baselines: %d %s %+v", code, stderr, b)
	}
	var l *patch.ListOptions
	code, stderr = patchWithF(t, func(f *cmdutil.Factory) *cobra.Command {
		return patch.NewCmdList(f, func(o *patch.ListOptions) error { l = o; return nil })
	}, "patch", "list", "web-1", "--state", "installedpendingreboot")
	if code != 0 || l.State != "InstalledPendingReboot" {
		t.Errorf("list: %d %s %+v", code, stderr, l)
	}
	code, _ = patchWithF(t, func(f *cmdutil.Factory) *cobra.Command {
		return patch.NewCmdList(f, func(o *patch.ListOptions) error { l = o; return nil })
	}, "patch", "list", "web-1", "web-2")
	if code != 252 {
		t.Errorf("list of two nodes: exit %d", code)
	}
}
