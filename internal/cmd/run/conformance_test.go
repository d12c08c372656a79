package run_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ssmctl/ssmctl/internal/cmd/run"
	"github.com/ssmctl/ssmctl/internal/cmdtest"
	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// cliInvocation is what `aws ssm list-command-invocations --details` says
// of one node.
type cliInvocation struct {
	InstanceId, Status, StatusDetails, DocumentName string
	CommandPlugins                                  []struct {
		Name, Status, StatusDetails, Output string
		ResponseCode                        int
	}
}

// cliResult is what `aws ssm get-command-invocation` says of one node.
type cliResult struct {
	CommandId, InstanceId, Status, StatusDetails string
	StandardOutputContent, StandardErrorContent  string
	ResponseCode                                 int
}

// compareWithAWSCLI checks that `ssmctl run status` and `ssmctl run output`
// report command id as `aws ssm list-command-invocations --details` and
// `aws ssm get-command-invocation` do, node by node, and returns ssmctl's
// run output document.
func compareWithAWSCLI(t *testing.T, srv *sandbox.Server, id string, nodes []string, wantExit int) run.RunView {
	t.Helper()
	c := cmdtest.New(t, srv)
	if code := c.Run(context.Background(), "run", "status", id, "--wait", "-o", "json"); code != wantExit {
		t.Fatalf("ssmctl run status --wait: exit %d, want %d: %s", code, wantExit, c.ErrOut)
	}
	var status run.CommandView
	if err := json.Unmarshal(c.Out.Bytes(), &status); err != nil {
		t.Fatalf("%v: %s", err, c.Out)
	}
	c = cmdtest.New(t, srv)
	if code := c.Run(context.Background(), "run", "output", id, "-o", "json"); code != 0 {
		t.Fatalf("ssmctl run output: exit %d: %s", code, c.ErrOut)
	}
	var output run.RunView
	if err := json.Unmarshal(c.Out.Bytes(), &output); err != nil {
		t.Fatalf("%v: %s", err, c.Out)
	}
	if output.ExitCode != wantExit || len(output.CommandIDs) != 1 || output.CommandIDs[0] != id {
		t.Errorf("ssmctl run output: exit code %d, command IDs %v", output.ExitCode, output.CommandIDs)
	}

	var listed struct{ CommandInvocations []cliInvocation }
	cmdtest.AWSCLI(t, srv, &listed, "ssm", "list-command-invocations", "--command-id", id, "--details")
	if len(listed.CommandInvocations) != len(nodes) || len(status.Invocations) != len(nodes) || len(output.Invocations) != len(nodes) {
		t.Fatalf("%d nodes: the AWS CLI lists %d invocations, ssmctl run status %d, run output %d",
			len(nodes), len(listed.CommandInvocations), len(status.Invocations), len(output.Invocations))
	}
	byNode := func(invs []run.InvocationView) map[string]run.InvocationView {
		m := map[string]run.InvocationView{}
		for _, v := range invs {
			m[v.NodeID] = v
		}
		return m
	}
	statusBy, outputBy := byNode(status.Invocations), byNode(output.Invocations)
	for _, li := range listed.CommandInvocations {
		st, ok := statusBy[li.InstanceId]
		out := outputBy[li.InstanceId]
		if !ok {
			t.Errorf("%s: listed by the AWS CLI, not by ssmctl run status", li.InstanceId)
			continue
		}
		// The invocation's response code, as ssmctl derives it from the
		// plugins: -1 when none ran.
		rc := -1
		for _, p := range li.CommandPlugins {
			rc = p.ResponseCode
		}
		for _, v := range []run.InvocationView{st, out} {
			if v.Status != li.Status || v.StatusDetails != li.StatusDetails || v.ResponseCode != rc {
				t.Errorf("%s: AWS CLI %s/%s/%d, ssmctl %s/%s/%d", li.InstanceId, li.Status, li.StatusDetails, rc,
					v.Status, v.StatusDetails, v.ResponseCode)
			}
		}

		var got cliResult
		cmdtest.AWSCLI(t, srv, &got, "ssm", "get-command-invocation", "--command-id", id, "--instance-id", li.InstanceId)
		if got.CommandId != id || got.InstanceId != li.InstanceId || got.Status != li.Status || got.StatusDetails != li.StatusDetails {
			t.Errorf("%s: get-command-invocation %+v disagrees with list-command-invocations %+v", li.InstanceId, got, li)
		}
		if got.ResponseCode != out.ResponseCode {
			t.Errorf("%s: response code: AWS CLI %d, ssmctl %d", li.InstanceId, got.ResponseCode, out.ResponseCode)
		}
		if got.StandardOutputContent != out.Stdout || got.StandardErrorContent != out.Stderr {
			t.Errorf("%s: output differs:\nAWS CLI stdout %q\nssmctl  stdout %q\nAWS CLI stderr %q\nssmctl  stderr %q", li.InstanceId,
				short(got.StandardOutputContent), short(out.Stdout), short(got.StandardErrorContent), short(out.Stderr))
		}
	}
	return output
}

func short(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%s...(%d characters)", s[:200], len(s))
	}
	return s
}

// A command sent with `aws ssm send-command` is reported by `ssmctl run
// status` and `ssmctl run output` as the AWS CLI's list-command-invocations
// and get-command-invocation report it: statuses (Success, Failed,
// DeliveryTimedOut), response codes, stdout and stderr, including output
// past the listing's 2,500 characters.
func TestConformanceRunCommandWithAWSCLI(t *testing.T) {
	t.Parallel()
	srv := sandbox.Start(t, sandbox.Options{FleetFile: cmdtest.Testdata("fleet.yaml"), TimeoutScale: 0.01})
	script := `case $AWS_SSM_INSTANCE_ID in
i-0aaaaaaaaaaaaaaa1) echo hello; echo warn >&2 ;;
i-0aaaaaaaaaaaaaaa2) head -c 5000 /dev/zero | tr '\0' x; echo; echo bad >&2; exit 3 ;;
esac`
	params, _ := json.Marshal(map[string][]string{"commands": {script}, "executionTimeout": {"100"}})
	nodes := []string{"i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2", "i-0aaaaaaaaaaaaaaa5"} // web-1, web-2, old-1 (ConnectionLost)
	var sent struct{ Command struct{ CommandId string } }
	cmdtest.AWSCLI(t, srv, &sent, append([]string{"ssm", "send-command", "--document-name", "AWS-RunShellScript",
		"--timeout-seconds", "30", "--parameters", string(params), "--instance-ids"}, nodes...)...)
	if len(sent.Command.CommandId) != 36 {
		t.Fatalf("send-command: command ID %q", sent.Command.CommandId)
	}
	out := compareWithAWSCLI(t, srv, sent.Command.CommandId, nodes, 1)

	// And what that is, so the comparison cannot pass on empty answers.
	want := map[string]struct {
		status, details string
		code            int
		stdoutLen       int
		stderr          string
	}{
		"i-0aaaaaaaaaaaaaaa1": {"Success", "Success", 0, len("hello\n"), "warn\n"},
		"i-0aaaaaaaaaaaaaaa2": {"Failed", "Failed", 3, 5001, "bad\nfailed to run commands: exit status 3"},
		"i-0aaaaaaaaaaaaaaa5": {"TimedOut", "DeliveryTimedOut", -1, 0, ""},
	}
	for _, inv := range out.Invocations {
		w := want[inv.NodeID]
		if inv.Status != w.status || inv.StatusDetails != w.details || inv.ResponseCode != w.code || len(inv.Stdout) != w.stdoutLen || inv.Stderr != w.stderr {
			t.Errorf("%s: %s/%s/%d, %d characters of stdout, stderr %q; want %+v", inv.NodeID, inv.Status, inv.StatusDetails,
				inv.ResponseCode, len(inv.Stdout), inv.Stderr, w)
		}
	}
}

// A command sent by `ssmctl run --no-wait` is the command the AWS CLI sees:
// document, parameters, targets and limits as ssmctl sent them, and then
// the same results.
func TestConformanceRunNoWaitWithAWSCLI(t *testing.T) {
	t.Parallel()
	srv := cmdtest.Fleet(t)
	c := cmdtest.New(t, srv)
	if code := c.Run(context.Background(), "run", "web-1", "db-1", "--no-wait", "--comment", "from ssmctl", "--max-concurrency", "1",
		"--max-errors", "1", "--timeout", "90s", "--", "echo on $AWS_SSM_INSTANCE_ID; exit 4"); code != 0 {
		t.Fatalf("ssmctl run --no-wait: exit %d: %s", code, c.ErrOut)
	}
	id := strings.TrimSpace(c.Out.String())
	if len(id) != 36 {
		t.Fatalf("ssmctl run --no-wait printed %q", c.Out)
	}

	// The user's comment, and the mark of exactly-once sending
	// (docs/reliability.md).
	commentMark := regexp.MustCompile(`^from ssmctl ssmctl:[a-z0-9]{12}\.1$`)
	var listed struct {
		Commands []struct {
			CommandId, DocumentName, Comment, MaxConcurrency, MaxErrors string
			InstanceIds                                                 []string
			Parameters                                                  map[string][]string
			TargetCount                                                 int
		}
	}
	cmdtest.AWSCLI(t, srv, &listed, "ssm", "list-commands", "--command-id", id)
	if len(listed.Commands) != 1 {
		t.Fatalf("list-commands: %+v", listed)
	}
	cmd := listed.Commands[0]
	ids := append([]string(nil), cmd.InstanceIds...)
	sort.Strings(ids)
	if cmd.CommandId != id || cmd.DocumentName != "AWS-RunShellScript" || !commentMark.MatchString(cmd.Comment) || cmd.MaxConcurrency != "1" ||
		cmd.MaxErrors != "1" || cmd.TargetCount != 2 || strings.Join(ids, " ") != "i-0aaaaaaaaaaaaaaa1 i-0aaaaaaaaaaaaaaa3" ||
		strings.Join(cmd.Parameters["commands"], "|") != "echo on $AWS_SSM_INSTANCE_ID; exit 4" ||
		strings.Join(cmd.Parameters["executionTimeout"], "|") != "90" {
		t.Errorf("list-commands: %+v", cmd)
	}

	out := compareWithAWSCLI(t, srv, id, []string{"i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa3"}, 1)
	for _, inv := range out.Invocations {
		if inv.Status != "Failed" || inv.ResponseCode != 4 || inv.Stdout != "on "+inv.NodeID+"\n" {
			t.Errorf("%s: %s, code %d, stdout %q", inv.NodeID, inv.Status, inv.ResponseCode, inv.Stdout)
		}
	}
}
