package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// awsCLI runs the AWS CLI against srv with nothing from this machine's AWS
// configuration, and decodes its JSON output into out. A client nobody here
// wrote keeps the sandbox and ssmctl honest with each other.
func awsCLI(t *testing.T, srv *sandbox.Server, out any, args ...string) {
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

// `aws ssm describe-instance-information` and the tagging APIs return the same
// nodes, fields and tags that `ssmctl nodes -o json` shows.
func TestConformanceNodesWithAWSCLI(t *testing.T) {
	srv := testFleet(t)

	var described struct {
		InstanceInformationList []struct {
			InstanceId, PingStatus, PlatformType, PlatformName, PlatformVersion string
			AgentVersion, IPAddress, ComputerName, ResourceType, Name           string
			ActivationId, IamRole                                               string
		}
	}
	awsCLI(t, srv, &described, "ssm", "describe-instance-information")

	var tagged struct {
		ResourceTagMappingList []struct {
			ResourceARN string
			Tags        []struct{ Key, Value string }
		}
	}
	awsCLI(t, srv, &tagged, "resourcegroupstaggingapi", "get-resources")
	tagsByARN := map[string]map[string]string{}
	for _, r := range tagged.ResourceTagMappingList {
		m := map[string]string{}
		for _, tag := range r.Tags {
			m[tag.Key] = tag.Value
		}
		tagsByARN[r.ResourceARN] = m
	}

	c := newTestCLI(t, srv)
	if code := c.run(context.Background(), "nodes", "-o", "json"); code != 0 {
		t.Fatalf("ssmctl nodes: exit %d: %s", code, c.errOut)
	}
	var shown []nodeView
	if err := json.Unmarshal(c.out.Bytes(), &shown); err != nil {
		t.Fatal(err)
	}
	byID := map[string]nodeView{}
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
			awsCLI(t, srv, &listed, "ssm", "list-tags-for-resource", "--resource-type", "ManagedInstance", "--resource-id", d.InstanceId)
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
