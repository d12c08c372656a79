package nodes_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmd/nodes"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// The nodes table as a person at a terminal sees it, with and without colour,
// and at a narrow width; and the text a script sees.
func TestNodesRendering(t *testing.T) {
	srv := cmdtest.Fleet(t)
	tests := []struct {
		name   string
		tty    bool
		width  int
		args   []string
		golden string
	}{
		{"tty", true, 160, []string{"nodes", "--no-color"}, "nodes_tty.golden"},
		{"tty colour", true, 160, []string{"nodes"}, "nodes_tty_color.golden"},
		{"tty narrow", true, 70, []string{"nodes", "--no-color"}, "nodes_tty_narrow.golden"},
		{"tty 80", true, 80, []string{"nodes", "--no-color"}, "nodes_tty_80.golden"},
		{"tty wide", true, 70, []string{"nodes", "--no-color", "-o", "wide"}, "nodes_tty_wide.golden"},
		{"tty text", true, 70, []string{"nodes", "-o", "text"}, "nodes_pipe.golden"},
		{"pipe", false, 0, []string{"nodes"}, "nodes_pipe.golden"},
		{"pipe table", false, 0, []string{"nodes", "-o", "table"}, "nodes_pipe_table.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			c := cmdtest.New(t, srv)
			c.Streams.SetStdoutTTY(tt.tty)
			if tt.width > 0 {
				c.Streams.SetTerminalWidth(tt.width)
			}
			if code := c.Run(context.Background(), tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, c.ErrOut)
			}
			cmdtest.Golden(t, tt.golden, c.Out.Bytes())
			if c.ErrOut.Len() != 0 {
				t.Errorf("stderr: %q", c.ErrOut)
			}
		})
	}
}

// An empty listing says so on stderr at a terminal, unless --quiet; the
// spinner shows only when stderr is a terminal and not --quiet.
func TestNodesStatusLines(t *testing.T) {
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("empty-fleet.yaml")})
	tests := []struct {
		args       []string
		stderrTTY  bool
		wantStderr []string
	}{
		{[]string{"nodes"}, false, []string{"No managed nodes found."}},
		{[]string{"nodes", "--quiet"}, false, nil},
		{[]string{"nodes"}, true, []string{"Listing managed nodes", "No managed nodes found."}},
		{[]string{"nodes", "-q"}, true, nil},
	}
	for _, tt := range tests {
		c := cmdtest.New(t, srv)
		c.Streams.SetStdoutTTY(true)
		c.Streams.SetStderrTTY(tt.stderrTTY)
		if code := c.Run(context.Background(), tt.args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, c.ErrOut)
		}
		if c.Out.Len() != 0 {
			t.Errorf("%v: stdout = %q, want nothing", tt.args, c.Out)
		}
		if len(tt.wantStderr) == 0 && c.ErrOut.Len() != 0 {
			t.Errorf("%v (stderr tty %v): stderr = %q, want nothing", tt.args, tt.stderrTTY, c.ErrOut)
		}
		for _, w := range tt.wantStderr {
			if !strings.Contains(c.ErrOut.String(), w) {
				t.Errorf("%v (stderr tty %v): stderr = %q, want %q", tt.args, tt.stderrTTY, c.ErrOut, w)
			}
		}
	}
}

// Targets given as arguments and as --target flags are one list.
func TestNodesFlags(t *testing.T) {
	tests := []struct {
		args    []string
		targets []string
		ping    []string
	}{
		{[]string{"nodes"}, nil, nil},
		{[]string{"nodes", "web-1", "--target", "tag:A=b", "i-0123456789abcdef0"}, []string{"web-1", "i-0123456789abcdef0", "tag:A=b"}, nil},
		{[]string{"ls", "-t", "@db", "--ping", "Online,ConnectionLost"}, []string{"@db"}, []string{"Online", "ConnectionLost"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := cmdtest.New(t, nil)
			var got *nodes.Options
			if code := c.RunWith(context.Background(), func(f *cmdutil.Factory) *cobra.Command {
				return nodes.NewCmdNodes(f, func(o *nodes.Options) error { got = o; return nil })
			}, nil, tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, c.ErrOut)
			}
			if strings.Join(got.Targets, "|") != strings.Join(tt.targets, "|") {
				t.Errorf("targets = %q, want %q", got.Targets, tt.targets)
			}
			if strings.Join(got.Ping, "|") != strings.Join(tt.ping, "|") {
				t.Errorf("ping = %q, want %q", got.Ping, tt.ping)
			}
		})
	}
}

// `aws ssm describe-instance-information` and the tagging APIs return the same
// nodes, fields and tags that `ssmctl nodes -o json` shows.
func TestConformanceNodesWithAWSCLI(t *testing.T) {
	srv := cmdtest.Fleet(t)

	var described struct {
		InstanceInformationList []struct {
			InstanceId, PingStatus, PlatformType, PlatformName, PlatformVersion string
			AgentVersion, IPAddress, ComputerName, ResourceType, Name           string
			ActivationId, IamRole                                               string
		}
	}
	cmdtest.AWSCLI(t, srv, &described, "ssm", "describe-instance-information")

	var tagged struct {
		ResourceTagMappingList []struct {
			ResourceARN string
			Tags        []struct{ Key, Value string }
		}
	}
	cmdtest.AWSCLI(t, srv, &tagged, "resourcegroupstaggingapi", "get-resources")
	tagsByARN := map[string]map[string]string{}
	for _, r := range tagged.ResourceTagMappingList {
		m := map[string]string{}
		for _, tag := range r.Tags {
			m[tag.Key] = tag.Value
		}
		tagsByARN[r.ResourceARN] = m
	}

	c := cmdtest.New(t, srv)
	if code := c.Run(context.Background(), "nodes", "-o", "json"); code != 0 {
		t.Fatalf("ssmctl nodes: exit %d: %s", code, c.ErrOut)
	}
	var shown []nodes.NodeView
	if err := json.Unmarshal(c.Out.Bytes(), &shown); err != nil {
		t.Fatal(err)
	}
	byID := map[string]nodes.NodeView{}
	for _, v := range shown {
		byID[v.ID] = v
	}
	if len(shown) != len(described.InstanceInformationList) || len(shown) == 0 {
		t.Fatalf("ssmctl shows %d nodes, the AWS CLI %d", len(shown), len(described.InstanceInformationList))
	}
	var ids []string
	for _, d := range described.InstanceInformationList {
		ids = append(ids, d.InstanceId)
		v, ok := byID[d.InstanceId]
		if !ok {
			t.Errorf("%s: listed by the AWS CLI, not by ssmctl", d.InstanceId)
			continue
		}
		pairs := [][2]string{
			{d.PingStatus, v.PingStatus}, {d.PlatformType, v.PlatformType}, {d.PlatformName, v.PlatformName},
			{d.PlatformVersion, v.PlatformVersion}, {d.AgentVersion, v.AgentVersion}, {d.IPAddress, v.IPAddress},
			{d.ComputerName, v.ComputerName}, {d.ResourceType, v.ResourceType}, {d.ActivationId, v.ActivationID},
			{d.IamRole, v.IAMRole},
		}
		for _, p := range pairs {
			if p[0] != p[1] {
				t.Errorf("%s: AWS CLI says %q, ssmctl %q", d.InstanceId, p[0], p[1])
			}
		}
		want := tagsByARN[srv.NodeARN(d.InstanceId)]
		if len(want) == 0 {
			want = map[string]string{}
		}
		if !equalMaps(want, v.Tags) {
			t.Errorf("%s: tags from the AWS CLI %v, from ssmctl %v", d.InstanceId, want, v.Tags)
		}
		if name := want["Name"]; name != "" && name != v.Name {
			t.Errorf("%s: Name tag %q, ssmctl name %q", d.InstanceId, name, v.Name)
		}
		if d.ResourceType == "ManagedInstance" {
			var listed struct{ TagList []struct{ Key, Value string } }
			cmdtest.AWSCLI(t, srv, &listed, "ssm", "list-tags-for-resource", "--resource-type", "ManagedInstance", "--resource-id", d.InstanceId)
			m := map[string]string{}
			for _, tag := range listed.TagList {
				m[tag.Key] = tag.Value
			}
			if !equalMaps(m, v.Tags) {
				t.Errorf("%s: list-tags-for-resource %v, ssmctl %v", d.InstanceId, m, v.Tags)
			}
			if d.Name != v.Name {
				t.Errorf("%s: managed node name %q, ssmctl name %q", d.InstanceId, d.Name, v.Name)
			}
		}
	}
	sort.Strings(ids)
	t.Logf("compared %d nodes: %v", len(ids), ids)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
