package sandbox

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// Conformance with a client nobody here wrote: the AWS CLI.

// awsCLI runs `aws ARGS... --output json` against s, with an environment
// that keeps the machine's own AWS configuration out, and decodes stdout
// into out (nil: the command prints nothing).
func awsCLI(t *testing.T, s *Server, out any, args ...string) {
	t.Helper()
	awsCLIWith(t, s, "", out, args...)
}

// awsCLIWith is awsCLI with an AWS config file of the given content (the
// sandbox's Profiles, for --profile).
func awsCLIWith(t *testing.T, s *Server, config string, out any, args ...string) {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not on PATH, and CI=true")
		}
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(dir, "config")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(aws, append(args, "--output", "json", "--endpoint-url", s.URL())...)
	cmd.Env = append(s.Env(),
		"PATH="+os.Getenv("PATH"),
		"HOME="+dir,
		"AWS_CONFIG_FILE="+configFile,
		"AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_PAGER=",
	)
	if root := os.Getenv("PYENV_ROOT"); root != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+root)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, stderr.String())
	}
	if out == nil { // an operation that answers nothing
		return
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("aws %v: output is not JSON: %v\n%s", args, err, stdout.String())
	}
}

func TestAWSCLIConformance(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Nodes: 60, Seed: 5})
	var fleetIDs []string
	fleetTags := map[string]map[string]string{}
	for _, n := range s.nodes.All() {
		fleetIDs = append(fleetIDs, n.ID)
		fleetTags[s.NodeARN(n.ID)] = n.Tags
	}

	t.Run("describe-instance-information", func(t *testing.T) {
		t.Parallel()
		var out struct {
			InstanceInformationList []struct {
				InstanceId       string
				PingStatus       string
				LastPingDateTime any
			}
		}
		// 60 nodes at the default 10 per page: the CLI paginates.
		awsCLI(t, s, &out, "ssm", "describe-instance-information")
		var ids []string
		for _, info := range out.InstanceInformationList {
			ids = append(ids, info.InstanceId)
			if _, ok := info.LastPingDateTime.(float64); !ok {
				t.Errorf("%s: LastPingDateTime %v is not epoch seconds", info.InstanceId, info.LastPingDateTime)
			}
		}
		if !slices.Equal(ids, fleetIDs) {
			t.Errorf("aws ssm describe-instance-information: %d IDs, want the fleet's %d\ngot  %v\nwant %v", len(ids), len(fleetIDs), ids, fleetIDs)
		}
	})

	t.Run("list-tags-for-resource", func(t *testing.T) {
		t.Parallel()
		var mi string
		for _, id := range fleetIDs {
			if len(id) > 3 && id[:3] == "mi-" {
				mi = id
				break
			}
		}
		if mi == "" {
			t.Fatal("the generated fleet has no hybrid node")
		}
		var out struct{ TagList []struct{ Key, Value string } }
		awsCLI(t, s, &out, "ssm", "list-tags-for-resource", "--resource-type", "ManagedInstance", "--resource-id", mi)
		got := map[string]string{}
		for _, tg := range out.TagList {
			got[tg.Key] = tg.Value
		}
		want := fleetTags[s.NodeARN(mi)]
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("tags %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("tag %s=%q, want %q", k, got[k], v)
			}
		}
	})

	t.Run("get-resources", func(t *testing.T) {
		t.Parallel()
		var out struct {
			ResourceTagMappingList []struct {
				ResourceARN string
				Tags        []struct{ Key, Value string }
			}
		}
		awsCLI(t, s, &out, "resourcegroupstaggingapi", "get-resources", "--page-size", "7")
		if len(out.ResourceTagMappingList) != len(fleetTags) {
			t.Errorf("%d resources, want %d", len(out.ResourceTagMappingList), len(fleetTags))
		}
		for _, m := range out.ResourceTagMappingList {
			want, ok := fleetTags[m.ResourceARN]
			if !ok {
				t.Errorf("unknown ARN %s", m.ResourceARN)
				continue
			}
			if len(m.Tags) != len(want) {
				t.Errorf("%s: %d tags, want %d", m.ResourceARN, len(m.Tags), len(want))
			}
			for _, tg := range m.Tags {
				if want[tg.Key] != tg.Value {
					t.Errorf("%s: tag %s=%q, want %q", m.ResourceARN, tg.Key, tg.Value, want[tg.Key])
				}
			}
		}
	})

	t.Run("list-group-resources", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Resources []struct {
				Identifier struct{ ResourceArn, ResourceType string }
			}
		}
		awsCLI(t, s, &out, "resource-groups", "list-group-resources", "--group", "web-servers")
		want := 0
		for _, n := range s.nodes.All() {
			if slices.Contains(n.Groups, "web-servers") {
				want++
			}
		}
		if len(out.Resources) != want || want == 0 {
			t.Errorf("%d resources, want %d", len(out.Resources), want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		aws, err := exec.LookPath("aws")
		if err != nil {
			t.Skip("no aws")
		}
		cmd := exec.Command(aws, "ssm", "describe-instance-information", "--max-results", "51", "--endpoint-url", s.URL())
		cmd.Env = append(s.Env(), "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err == nil || !bytes.Contains(out, []byte("(ValidationException)")) || !bytes.Contains(out, []byte("less than or equal to 50")) {
			t.Errorf("aws with --max-results 51: %v\n%s", err, out)
		}
	})
}
