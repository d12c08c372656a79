package opsitem_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/opsitem"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
)

// withF runs args with one opsitem subcommand replaced by build's, which
// captures its options through runF. AWS must not be called.
func withF(t *testing.T, build func(f *cmdutil.Factory) *cobra.Command, args ...string) (int, string) {
	t.Helper()
	c := cmdtest.New(t, nil)
	c.F.AWSConfig = func(context.Context) (aws.Config, error) {
		t.Error("AWS configuration loaded: a usage check came too late")
		return aws.Config{}, errors.New("no AWS in this test")
	}
	code := c.RunWith(context.Background(), build, []string{"opsitem"}, args...)
	return code, c.ErrOut.String()
}

func TestCreateFlags(t *testing.T) {
	var got *opsitem.CreateOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return opsitem.NewCmdCreate(f, func(o *opsitem.CreateOptions) error { got = o; return nil })
	}
	code, stderr := withF(t, build, "opsitem", "create", "--title", "EC2 instance disk full", "--source", "ec2",
		"--description", "Log clean up may have failed due to full disk", "--priority", "2", "--severity", "1",
		"--data", "EC2=1:searchable", "--data", "url=http://x:8080", "--notify", "arn:aws:sns:us-east-1:123456789012:ops",
		"--tag", "EC2=Prod", "--related-item", "oi-0123456789ab", "--resource", "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
		"--dedup", "disk-full")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	n := got.Item
	want := map[string]opsitems.Data{"EC2": {Value: "1", Searchable: true}, "url": {Value: "http://x:8080"}}
	if n.Title != "EC2 instance disk full" || n.Priority != 2 || n.Severity != 1 || !reflect.DeepEqual(n.Data, want) ||
		!reflect.DeepEqual(n.Tags, []opsitems.Tag{{Key: "EC2", Value: "Prod"}}) || n.Dedup != "disk-full" ||
		len(n.Notify) != 1 || len(n.Related) != 1 || len(n.Resources) != 1 {
		t.Errorf("create options: %+v", n)
	}
}

func TestBadInputExits252(t *testing.T) {
	create := func(f *cmdutil.Factory) *cobra.Command {
		return opsitem.NewCmdCreate(f, func(*opsitem.CreateOptions) error { t.Error("ran"); return nil })
	}
	update := func(f *cmdutil.Factory) *cobra.Command {
		return opsitem.NewCmdUpdate(f, func(*opsitem.UpdateOptions) error { t.Error("ran"); return nil })
	}
	base := []string{"opsitem", "create", "--title", "T", "--source", "ec2", "--description", "D"}
	for _, tc := range []struct {
		build func(f *cmdutil.Factory) *cobra.Command
		args  []string
		want  string
	}{
		{create, append(base, "--priority", "6"), "invalid priority 6"},
		{create, append(base, "--priority", "0"), "invalid priority 0"},
		{create, []string{"opsitem", "create", "--title", "", "--source", "ec2", "--description", "D"}, "the title must not be empty"},
		{create, []string{"opsitem", "create", "--title", "a\nb", "--source", "ec2", "--description", "D"}, "the title must be one line"},
		{create, []string{"opsitem", "create", "--title", strings.Repeat("t", 1025), "--source", "ec2", "--description", "D"}, "at most 1024"},
		{create, []string{"opsitem", "create", "--title", "T", "--source", "ec2", "--description", strings.Repeat("d", 2049)}, "at most 2048"},
		{create, append(base, "--data", "EC2"), `invalid --data "EC2"`},
		{create, append(base, "--data", "k="), "the value must not be empty"},
		{create, append(base, "--data", "/ssm/x=1"), "reserved"},
		{create, append(base, "--data", "k="+strings.Repeat("v", 20*1024+1)), "at most 20 KB"},
		{create, append(base, "--tag", "novalue"), `invalid --tag "novalue"`},
		{create, append(base, "--resource", "i-0abc"), "want an ARN"},
		{update, []string{"opsitem", "update", "oi-0123456789ab", "--status", "Closed"}, `invalid status "Closed"`},
		{update, []string{"opsitem", "update", "oi-0123456789ab", "--severity", "5"}, "invalid severity 5"},
		{update, []string{"opsitem", "update", "oi-0123456789ab", "--title", ""}, `invalid --title ""`},
		{update, []string{"opsitem", "update", "OI-0123456789AB", "--status", "Open"}, "invalid OpsItem ID"},
	} {
		code, stderr := withF(t, tc.build, tc.args...)
		if code != 252 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%q: exit %d, stderr %q; want 252 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
