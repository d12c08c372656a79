package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// Run Command through the AWS CLI: what `aws ssm` reports must agree with
// what the SDK sees.
func TestAWSCLIRunCommand(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("aws"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("the AWS CLI (aws) is not on PATH")
	}
	s := Start(t, Options{Fleet: testFleet(), InvocationDelay: 10 * time.Second})
	c := ssmClient(s)
	// The script waits for this file, which the test makes once it has
	// asked for the invocation early, however slowly the AWS CLI starts.
	gate := filepath.Join(t.TempDir(), "go")
	script := "until [ -e " + gate + " ]; do sleep 0.1; done; echo hi; echo oops >&2; exit 3"

	var sent struct {
		Command struct {
			CommandId, Status, DocumentVersion, MaxConcurrency, MaxErrors string
			TargetCount                                                   int
			RequestedDateTime                                             any
			Parameters                                                    map[string][]string
		}
	}
	sending := time.Now()
	awsCLI(t, s, &sent, "ssm", "send-command", "--document-name", "AWS-RunShellScript",
		"--instance-ids", linux1, linux2, "--parameters", "commands='"+script+"'", "--comment", "cli")
	cmd := sent.Command
	if len(cmd.CommandId) != 36 || cmd.Status != "Pending" || cmd.TargetCount != 2 || cmd.MaxConcurrency != "50" || cmd.MaxErrors != "0" ||
		cmd.DocumentVersion != "$DEFAULT" || cmd.Parameters["commands"][0] != script {
		t.Errorf("send-command: %+v", cmd)
	}
	switch cmd.RequestedDateTime.(type) {
	case float64, string: // AWS CLI v1 prints epoch seconds, v2 ISO 8601
	default:
		t.Errorf("RequestedDateTime %v", cmd.RequestedDateTime)
	}

	// Right after sending, get-command-invocation fails as on AWS.
	aws, _ := exec.LookPath("aws")
	early := exec.Command(aws, "ssm", "get-command-invocation", "--command-id", cmd.CommandId, "--instance-id", linux1, "--endpoint-url", s.URL())
	early.Env = append(s.Env(), "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	// The script waits for the gate and the invocation stays invisible for
	// 10 s (or until it ends).
	out, err := early.CombinedOutput()
	switch {
	case time.Since(sending) > 9*time.Second:
		// A loaded machine started the CLI too late to see the window.
		t.Logf("get-command-invocation came %s after sending, past the 10 s window: not checked", time.Since(sending))
	case err == nil || !strings.Contains(string(out), "InvocationDoesNotExist"):
		t.Errorf("get-command-invocation right after send-command: %v\n%s", err, out)
	}
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	waitCommand(t, c, cmd.CommandId)
	var listed struct {
		CommandInvocations []struct {
			InstanceId, Status, StatusDetails string
			CommandPlugins                    []struct {
				Name, Status, Output string
				ResponseCode         int
			}
		}
	}
	awsCLI(t, s, &listed, "ssm", "list-command-invocations", "--command-id", cmd.CommandId, "--details")
	if len(listed.CommandInvocations) != 2 {
		t.Fatalf("list-command-invocations: %+v", listed)
	}
	for _, inv := range listed.CommandInvocations {
		p := inv.CommandPlugins
		if inv.Status != "Failed" || inv.StatusDetails != "Failed" || len(p) != 1 || p[0].ResponseCode != 3 || p[0].Name != "aws:runShellScript" ||
			p[0].Output != "hi\n\n----------ERROR-------\noops\nfailed to run commands: exit status 3" {
			t.Errorf("list-command-invocations %s: %+v", inv.InstanceId, inv)
		}
	}

	var got struct {
		Status, StatusDetails, StandardOutputContent, StandardErrorContent, PluginName, ExecutionStartDateTime string
		ResponseCode                                                                                           int
	}
	awsCLI(t, s, &got, "ssm", "get-command-invocation", "--command-id", cmd.CommandId, "--instance-id", linux2)
	sdk, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: &cmd.CommandId, InstanceId: strPtr(linux2)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != string(sdk.Status) || got.ResponseCode != int(sdk.ResponseCode) || got.StandardOutputContent != "hi\n" ||
		got.StandardErrorContent != "oops\nfailed to run commands: exit status 3" || got.PluginName != "aws:runShellScript" ||
		got.ExecutionStartDateTime != *sdk.ExecutionStartDateTime {
		t.Errorf("get-command-invocation: %+v\nSDK: %s %d", got, sdk.Status, sdk.ResponseCode)
	}

	var commands struct {
		Commands []struct {
			CommandId, Status          string
			CompletedCount, ErrorCount int
		}
	}
	awsCLI(t, s, &commands, "ssm", "list-commands", "--command-id", cmd.CommandId)
	if len(commands.Commands) != 1 || commands.Commands[0].Status != "Failed" || commands.Commands[0].ErrorCount != 2 || commands.Commands[0].CompletedCount != 2 {
		t.Errorf("list-commands: %+v", commands)
	}

	// Documents through the CLI.
	var desc struct {
		Document struct {
			Name          string
			PlatformTypes []string
			Parameters    []struct{ Name, Type string }
		}
	}
	awsCLI(t, s, &desc, "ssm", "describe-document", "--name", "AWS-RunShellScript")
	if desc.Document.Name != "AWS-RunShellScript" || len(desc.Document.Parameters) != 3 || strings.Join(desc.Document.PlatformTypes, ",") != "Linux,MacOS" {
		t.Errorf("describe-document: %+v", desc)
	}
	var docs struct {
		DocumentIdentifiers []struct{ Name, Owner string }
	}
	awsCLI(t, s, &docs, "ssm", "list-documents", "--filters", "Key=Owner,Values=Amazon")
	if len(docs.DocumentIdentifiers) != len(documents.AWSOwned()) {
		t.Errorf("list-documents: %+v", docs)
	}
}

func strPtr(s string) *string { return aws.String(s) }
