package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// TestNodeUsers: a Run Command script sees every user name on the node,
// with its home in the node's directory (NodeUserHome), through the SDK
// and the AWS CLI; other getent databases are the system's.
func TestNodeUsers(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	home, err := s.NodeUserHome(linux1, "alice")
	if err != nil {
		t.Fatal(err)
	}
	id := send(t, c, &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{linux1},
		Parameters: shell(`getent passwd alice`, `h=$(getent passwd alice | cut -d: -f6); mkdir -p "$h/.ssh" && echo key > "$h/.ssh/authorized_keys"`, `getent group root | cut -d: -f1`),
	})
	waitCommand(t, c, id)
	inv := getInvocation(t, c, id, linux1)
	want := fmt.Sprintf("alice:x:%d:%d::%s:/bin/sh\nroot\n", os.Getuid(), os.Getgid(), home)
	if aws.ToString(inv.StandardOutputContent) != want || string(inv.Status) != "Success" {
		t.Errorf("output %q (%s, stderr %q), want %q", aws.ToString(inv.StandardOutputContent), inv.Status, aws.ToString(inv.StandardErrorContent), want)
	}
	if b, err := os.ReadFile(filepath.Join(home, ".ssh", "authorized_keys")); err != nil || string(b) != "key\n" {
		t.Errorf("the user's file in the node directory: %q %v", b, err)
	}

	// The AWS CLI (skipped where it is missing, outside CI).
	var sent struct{ Command struct{ CommandId string } }
	awsCLI(t, s, &sent, "ssm", "send-command", "--document-name", "AWS-RunShellScript",
		"--instance-ids", linux1, "--parameters", `commands="getent passwd bob"`)
	waitCommand(t, c, sent.Command.CommandId)
	var got struct{ StandardOutputContent string }
	awsCLI(t, s, &got, "ssm", "get-command-invocation", "--command-id", sent.Command.CommandId, "--instance-id", linux1)
	bobHome, _ := s.NodeUserHome(linux1, "bob")
	if !strings.Contains(got.StandardOutputContent, "::"+bobHome+":/bin/sh") {
		t.Errorf("AWS CLI: %q, want bob's home %s", got.StandardOutputContent, bobHome)
	}
}
