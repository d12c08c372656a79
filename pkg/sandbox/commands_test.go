package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Node IDs of the test fleet.
const (
	linux1  = "i-00000000000000001"
	linux2  = "i-00000000000000002"
	linux3  = "i-00000000000000003"
	win1    = "i-00000000000000004"
	lost1   = "i-00000000000000005"
	hybrid1 = "mi-00000000000000006"
	gone1   = "i-00000000000000007"
)

func testFleet() *Fleet {
	return &Fleet{Nodes: []*Node{
		{ID: linux1, Name: "web-1", Tags: map[string]string{"Env": "Dev", "Role": "web"}, Groups: []string{"web"}},
		{ID: linux2, Name: "web-2", Tags: map[string]string{"Env": "Prod", "Role": "web"}, Groups: []string{"web"}},
		{ID: linux3, Name: "db-1", Tags: map[string]string{"Env": "Prod", "Role": "db"}},
		{ID: win1, Name: "win-1", Tags: map[string]string{"Env": "Dev", "Role": "web"}, Platform: Platform{Type: "Windows"}},
		{ID: lost1, Name: "lost-1", Tags: map[string]string{"Env": "Lost"}, Ping: "ConnectionLost"},
		{ID: hybrid1, Name: "onprem", Tags: map[string]string{"Env": "Dev", "Role": "worker"}},
		{ID: gone1, Name: "gone-1", Tags: map[string]string{"Env": "Gone"}, Ping: "Inactive"},
	}}
}

// linuxFleet is n online Linux nodes tagged Fleet=big.
func linuxFleet(n int) *Fleet {
	f := &Fleet{}
	for i := range n {
		f.Nodes = append(f.Nodes, &Node{ID: fmt.Sprintf("i-%017x", i+1), Tags: map[string]string{"Fleet": "big"}})
	}
	return f
}

func ctx() context.Context { return context.Background() }

// send runs AWS-RunShellScript on ids and returns the command ID.
func send(t *testing.T, c *ssm.Client, in *ssm.SendCommandInput) string {
	t.Helper()
	if in.DocumentName == nil {
		in.DocumentName = aws.String("AWS-RunShellScript")
	}
	out, err := c.SendCommand(ctx(), in)
	if err != nil {
		t.Fatalf("SendCommand: %v", err)
	}
	return aws.ToString(out.Command.CommandId)
}

func shell(lines ...string) map[string][]string { return map[string][]string{"commands": lines} }

// waitCommand polls ListCommands until the command is terminal.
func waitCommand(t *testing.T, c *ssm.Client, id string) types.Command {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.ListCommands(ctx(), &ssm.ListCommandsInput{CommandId: aws.String(id)})
		if err != nil {
			t.Fatalf("ListCommands: %v", err)
		}
		if len(out.Commands) != 1 {
			t.Fatalf("ListCommands %s: %d commands", id, len(out.Commands))
		}
		cmd := out.Commands[0]
		switch cmd.Status {
		case types.CommandStatusPending, types.CommandStatusInProgress, types.CommandStatusCancelling:
		default:
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("command %s still %s", id, cmd.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// invocations lists a command's invocations with details, by node ID.
func invocations(t *testing.T, c *ssm.Client, id string) map[string]types.CommandInvocation {
	t.Helper()
	out := map[string]types.CommandInvocation{}
	p := ssm.NewListCommandInvocationsPaginator(c, &ssm.ListCommandInvocationsInput{CommandId: aws.String(id), Details: true})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatalf("ListCommandInvocations: %v", err)
		}
		for _, inv := range page.CommandInvocations {
			out[aws.ToString(inv.InstanceId)] = inv
		}
	}
	return out
}

func getInvocation(t *testing.T, c *ssm.Client, id, node string) *ssm.GetCommandInvocationOutput {
	t.Helper()
	out, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(node)})
	if err != nil {
		t.Fatalf("GetCommandInvocation %s %s: %v", id, node, err)
	}
	return out
}

func TestRunShellScriptExitCodesAndStreams(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	tests := []struct {
		name           string
		script         []string
		status         types.CommandInvocationStatus
		code           int32
		stdout, stderr string
	}{
		{"exit 0", []string{"echo hello", "echo warn >&2"}, types.CommandInvocationStatusSuccess, 0, "hello\n", "warn\n"},
		{"exit 1", []string{"echo out", "echo err >&2", "exit 1"}, types.CommandInvocationStatusFailed, 1, "out\n", "err\nfailed to run commands: exit status 1"},
		{"exit 42", []string{"exit 42"}, types.CommandInvocationStatusFailed, 42, "", "failed to run commands: exit status 42"},
		{"pwd is the node's directory", []string{"basename \"$(pwd)\"", "echo $SSM_COMMAND_ID | wc -c"}, types.CommandInvocationStatusSuccess, 0, linux1 + "\n37\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: shell(tt.script...)})
			cmd := waitCommand(t, c, id)
			got := getInvocation(t, c, id, linux1)
			if got.Status != tt.status || got.ResponseCode != tt.code {
				t.Errorf("status %s code %d, want %s %d", got.Status, got.ResponseCode, tt.status, tt.code)
			}
			if aws.ToString(got.StandardOutputContent) != tt.stdout || aws.ToString(got.StandardErrorContent) != tt.stderr {
				t.Errorf("stdout %q stderr %q, want %q %q", aws.ToString(got.StandardOutputContent), aws.ToString(got.StandardErrorContent), tt.stdout, tt.stderr)
			}
			if aws.ToString(got.PluginName) != "aws:runShellScript" || aws.ToString(got.DocumentVersion) != "$DEFAULT" {
				t.Errorf("plugin %q version %q", aws.ToString(got.PluginName), aws.ToString(got.DocumentVersion))
			}
			if aws.ToString(got.ExecutionStartDateTime) == "" || aws.ToString(got.ExecutionEndDateTime) == "" || !strings.HasPrefix(aws.ToString(got.ExecutionElapsedTime), "PT") {
				t.Errorf("times %q %q %q", aws.ToString(got.ExecutionStartDateTime), aws.ToString(got.ExecutionEndDateTime), aws.ToString(got.ExecutionElapsedTime))
			}
			wantCmd := types.CommandStatusSuccess
			if tt.status != types.CommandInvocationStatusSuccess {
				wantCmd = types.CommandStatusFailed
			}
			if cmd.Status != wantCmd || cmd.TargetCount != 1 || cmd.CompletedCount != 1 {
				t.Errorf("command %s target %d completed %d", cmd.Status, cmd.TargetCount, cmd.CompletedCount)
			}
			inv := invocations(t, c, id)[linux1]
			if len(inv.CommandPlugins) != 1 || inv.CommandPlugins[0].ResponseCode != tt.code {
				t.Fatalf("plugins %+v", inv.CommandPlugins)
			}
			want := tt.stdout
			if tt.stderr != "" {
				want += "\n----------ERROR-------\n" + tt.stderr
			}
			if got := aws.ToString(inv.CommandPlugins[0].Output); got != want {
				t.Errorf("Output %q, want %q", got, want)
			}
		})
	}
}

func TestSendCommandEcho(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	out, err := c.SendCommand(ctx(), &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{linux1, linux2},
		Parameters: shell("true"), Comment: aws.String("hello"), OutputS3BucketName: aws.String("my-bucket"),
		OutputS3KeyPrefix: aws.String("runs"), ServiceRoleArn: aws.String("arn:aws:iam::123456789012:role/sns"),
		NotificationConfig: &types.NotificationConfig{NotificationArn: aws.String("arn:aws:sns:us-east-1:123456789012:t"),
			NotificationEvents: []types.NotificationEvent{types.NotificationEventAll}, NotificationType: types.NotificationTypeCommand},
		CloudWatchOutputConfig: &types.CloudWatchOutputConfig{CloudWatchOutputEnabled: true, CloudWatchLogGroupName: aws.String("grp")},
		TimeoutSeconds:         aws.Int32(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := out.Command
	if aws.ToString(cmd.Comment) != "hello" || aws.ToString(cmd.MaxConcurrency) != "50" || aws.ToString(cmd.MaxErrors) != "0" ||
		aws.ToInt32(cmd.TimeoutSeconds) != 60 || cmd.TargetCount != 2 || aws.ToString(cmd.DocumentVersion) != "$DEFAULT" ||
		aws.ToString(cmd.ServiceRole) == "" || aws.ToString(cmd.NotificationConfig.NotificationArn) == "" ||
		aws.ToString(cmd.CloudWatchOutputConfig.CloudWatchLogGroupName) != "grp" || cmd.ExpiresAfter == nil || cmd.RequestedDateTime == nil {
		t.Errorf("SendCommand echo: %+v", cmd)
	}
	if len(aws.ToString(cmd.CommandId)) != 36 {
		t.Errorf("CommandId %q", aws.ToString(cmd.CommandId))
	}
	id := aws.ToString(cmd.CommandId)
	waitCommand(t, c, id)
	got := getInvocation(t, c, id, linux2)
	want := fmt.Sprintf("https://s3.us-east-1.amazonaws.com/my-bucket/runs/%s/%s/awsrunShellScript/0.awsrunShellScript/stdout", id, linux2)
	if aws.ToString(got.StandardOutputUrl) != want {
		t.Errorf("StandardOutputUrl %q, want %q", aws.ToString(got.StandardOutputUrl), want)
	}
	if !got.CloudWatchOutputConfig.CloudWatchOutputEnabled {
		t.Error("CloudWatchOutputConfig not echoed")
	}
}

func TestInvocationDoesNotExistRightAfterSend(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet(), InvocationDelay: 300 * time.Millisecond})
	c := ssmClient(s)
	// The script outlives the delay: a finished invocation is visible at once.
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: shell("sleep 0.5", "echo hi")})
	_, err := c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux1)})
	if errorCode(err) != "InvocationDoesNotExist" {
		t.Fatalf("GetCommandInvocation right after SendCommand: %v, want InvocationDoesNotExist", err)
	}
	time.Sleep(350 * time.Millisecond)
	waitCommand(t, c, id)
	if got := getInvocation(t, c, id, linux1); aws.ToString(got.StandardOutputContent) != "hi\n" {
		t.Errorf("stdout %q", aws.ToString(got.StandardOutputContent))
	}
	// A node the command was not sent to, and a command that does not exist.
	_, err = c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux2)})
	if errorCode(err) != "InvocationDoesNotExist" {
		t.Errorf("other node: %v", err)
	}
	_, err = c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(unknownCommandID), InstanceId: aws.String(linux1)})
	if errorCode(err) != "InvalidCommandId" {
		t.Errorf("unknown command: %v", err)
	}
	_, err = c.GetCommandInvocation(ctx(), &ssm.GetCommandInvocationInput{CommandId: aws.String(id), InstanceId: aws.String(linux1), PluginName: aws.String("nope")})
	if errorCode(err) != "InvalidPluginName" {
		t.Errorf("unknown plugin: %v", err)
	}
}

func TestExecutionTimeout(t *testing.T) {
	t.Parallel()
	// executionTimeout 5 s (the agent's minimum) at scale 0.02 is 100 ms.
	s := Start(t, Options{Fleet: testFleet(), TimeoutScale: 0.02})
	c := ssmClient(s)
	params := shell("echo started", "sleep 30")
	params["executionTimeout"] = []string{"5"}
	start := time.Now()
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: params})
	cmd := waitCommand(t, c, id)
	if time.Since(start) > 5*time.Second {
		t.Errorf("timed out after %s", time.Since(start))
	}
	got := getInvocation(t, c, id, linux1)
	if got.Status != types.CommandInvocationStatusTimedOut || aws.ToString(got.StatusDetails) != "ExecutionTimedOut" || got.ResponseCode != 137 {
		t.Errorf("status %s %s code %d", got.Status, aws.ToString(got.StatusDetails), got.ResponseCode)
	}
	if aws.ToString(got.StandardOutputContent) != "started\n" {
		t.Errorf("stdout %q", aws.ToString(got.StandardOutputContent))
	}
	if cmd.Status != types.CommandStatusTimedOut || aws.ToString(cmd.StatusDetails) != "ExecutionTimedOut" || cmd.ErrorCount != 1 {
		t.Errorf("command %s %s errors %d", cmd.Status, aws.ToString(cmd.StatusDetails), cmd.ErrorCount)
	}
}

// processGone reports whether pid has exited (a zombie nobody reaped
// counts as gone).
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

func TestCancelKillsProcessGroup(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1, linux2}, Parameters: shell(
		"sleep 300 &", "echo $! > child-$SSM_COMMAND_ID.pid", "wait")})
	dir, _ := s.NodeDir(linux1)
	pidFile := filepath.Join(dir, "child-"+id+".pid")
	var pid int
	for deadline := time.Now().Add(10 * time.Second); pid == 0; {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if time.Now().After(deadline) {
			t.Fatal("the script never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if processGone(pid) {
		t.Fatal("child is not running before the cancel")
	}
	if _, err := c.CancelCommand(ctx(), &ssm.CancelCommandInput{CommandId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	cmd := waitCommand(t, c, id)
	if cmd.Status != types.CommandStatusCancelled {
		t.Errorf("command %s", cmd.Status)
	}
	for node, inv := range invocations(t, c, id) {
		if inv.Status != types.CommandInvocationStatusCancelled || aws.ToString(inv.StatusDetails) != "Cancelled" {
			t.Errorf("%s: %s %s", node, inv.Status, aws.ToString(inv.StatusDetails))
		}
	}
	for deadline := time.Now().Add(5 * time.Second); !processGone(pid); {
		if time.Now().After(deadline) {
			t.Fatalf("background child %d survived the cancel", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := c.CancelCommand(ctx(), &ssm.CancelCommandInput{CommandId: aws.String(unknownCommandID)}); errorCode(err) != "InvalidCommandId" {
		t.Errorf("cancel unknown command: %v", err)
	}
}

func TestCancelSomeInstances(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1, linux2}, MaxConcurrency: aws.String("1"),
		Parameters: shell("sleep 0.3")})
	if _, err := c.CancelCommand(ctx(), &ssm.CancelCommandInput{CommandId: aws.String(id), InstanceIds: []string{linux2}}); err != nil {
		t.Fatal(err)
	}
	waitCommand(t, c, id)
	invs := invocations(t, c, id)
	if invs[linux1].Status != types.CommandInvocationStatusSuccess || invs[linux2].Status != types.CommandInvocationStatusCancelled {
		t.Errorf("linux1 %s linux2 %s", invs[linux1].Status, invs[linux2].Status)
	}
	if invs[linux2].CommandPlugins[0].ResponseCode != -1 {
		t.Errorf("never-run invocation has ResponseCode %d, want -1", invs[linux2].CommandPlugins[0].ResponseCode)
	}
	_, err := c.CancelCommand(ctx(), &ssm.CancelCommandInput{CommandId: aws.String(id), InstanceIds: []string{linux3}})
	if errorCode(err) != "InvalidInstanceId" {
		t.Errorf("cancel on a node outside the command: %v", err)
	}
}

func TestConnectionLostDeliveryTimedOut(t *testing.T) {
	t.Parallel()
	// Total timeout (30 s delivery + 5 s execution) at scale 0.01: 350 ms.
	s := Start(t, Options{Fleet: testFleet(), TimeoutScale: 0.01})
	c := ssmClient(s)
	params := shell("echo hi")
	params["executionTimeout"] = []string{"5"}
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{lost1, linux1}, TimeoutSeconds: aws.Int32(30), Parameters: params})
	time.Sleep(100 * time.Millisecond)
	if inv := invocations(t, c, id)[lost1]; inv.Status != types.CommandInvocationStatusDelayed {
		t.Errorf("ConnectionLost node before the timeout: %s", inv.Status)
	}
	cmd := waitCommand(t, c, id)
	got := getInvocation(t, c, id, lost1)
	if got.Status != types.CommandInvocationStatusTimedOut || aws.ToString(got.StatusDetails) != "DeliveryTimedOut" || got.ResponseCode != -1 {
		t.Errorf("ConnectionLost node: %s %s code %d", got.Status, aws.ToString(got.StatusDetails), got.ResponseCode)
	}
	if cmd.DeliveryTimedOutCount != 1 || cmd.CompletedCount != 2 || cmd.ErrorCount != 0 || cmd.Status != types.CommandStatusTimedOut || aws.ToString(cmd.StatusDetails) != "DeliveryTimedOut" {
		t.Errorf("command %s %s dto %d completed %d errors %d", cmd.Status, aws.ToString(cmd.StatusDetails), cmd.DeliveryTimedOutCount, cmd.CompletedCount, cmd.ErrorCount)
	}
}

func TestRebootAndRestart(t *testing.T) {
	t.Parallel()
	// The reboot lasts long enough to be seen however slowly the machine
	// runs the first part of the script.
	s := Start(t, Options{Fleet: testFleet(), RebootDelay: 2 * time.Second})
	c := ssmClient(s)
	script := []string{
		`if [ ! -f rebooted-$SSM_COMMAND_ID ]; then touch rebooted-$SSM_COMMAND_ID; echo before; exit 194; fi`,
		`echo after`,
	}
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: shell(script...)})
	// The agent reports the reboot request before rebooting: the running
	// step shows ResponseCode 194 and the output so far, while the
	// invocation stays InProgress.
	deadline := time.Now().Add(10 * time.Second)
	for {
		inv := invocations(t, c, id)[linux1]
		if len(inv.CommandPlugins) == 1 && inv.CommandPlugins[0].ResponseCode == 194 {
			if inv.Status != types.CommandInvocationStatusInProgress || !strings.Contains(aws.ToString(inv.CommandPlugins[0].Output), "before") {
				t.Errorf("during the reboot: %s, step %+v", inv.Status, inv.CommandPlugins[0])
			}
			break
		}
		if time.Now().After(deadline) || inv.Status != types.CommandInvocationStatusInProgress && inv.Status != types.CommandInvocationStatusPending {
			t.Fatalf("the reboot request never showed: %s %+v", inv.Status, inv.CommandPlugins)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitCommand(t, c, id)
	got := getInvocation(t, c, id, linux1)
	if got.Status != types.CommandInvocationStatusSuccess || got.ResponseCode != 0 || aws.ToString(got.StandardOutputContent) != "before\nafter\n" {
		t.Errorf("after the reboot: %s code %d stdout %q", got.Status, got.ResponseCode, aws.ToString(got.StandardOutputContent))
	}

	// Windows asks for a reboot with 3010; the PowerShell stand-in is sh.
	id = send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunPowerShellScript"), InstanceIds: []string{win1}, Parameters: shell(
		`if [ ! -f rebooted-$SSM_COMMAND_ID ]; then touch rebooted-$SSM_COMMAND_ID; exit 3010; fi`, `exit 7`)})
	waitCommand(t, c, id)
	got = getInvocation(t, c, id, win1)
	if got.Status != types.CommandInvocationStatusFailed || got.ResponseCode != 7 || aws.ToString(got.PluginName) != "aws:runPowerShellScript" {
		t.Errorf("Windows after the reboot: %s code %d plugin %s", got.Status, got.ResponseCode, aws.ToString(got.PluginName))
	}
	// 194 on Linux under AWS-RunShellScript is no failure; on Windows 194
	// is 3010 (the stand-in shell can't exit 3010), so a script that always
	// exits 194 on Linux keeps rebooting until cancelled.
	id = send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux2}, Parameters: shell("exit 194")})
	time.Sleep(100 * time.Millisecond)
	c.CancelCommand(ctx(), &ssm.CancelCommandInput{CommandId: aws.String(id)})
	if cmd := waitCommand(t, c, id); cmd.Status != types.CommandStatusCancelled {
		t.Errorf("endless reboot after cancel: %s", cmd.Status)
	}
}

func TestMaxErrorsStopsTheRun(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: linuxFleet(10)})
	c := ssmClient(s)
	id := send(t, c, &ssm.SendCommandInput{
		Targets:        []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}},
		MaxConcurrency: aws.String("1"), MaxErrors: aws.String("1"), Parameters: shell("exit 3"),
	})
	cmd := waitCommand(t, c, id)
	counts := map[string]int{}
	for _, inv := range invocations(t, c, id) {
		counts[string(inv.Status)+"/"+aws.ToString(inv.StatusDetails)]++
		if aws.ToString(inv.StatusDetails) == "Terminated" && inv.CommandPlugins[0].ResponseCode != -1 {
			t.Errorf("terminated invocation has ResponseCode %d", inv.CommandPlugins[0].ResponseCode)
		}
	}
	if counts["Failed/Failed"] != 2 || counts["Cancelled/Terminated"] != 8 {
		t.Errorf("invocations %v, want 2 Failed and 8 Terminated (MaxErrors 1: stop at the second error)", counts)
	}
	if cmd.Status != types.CommandStatusFailed || cmd.ErrorCount != 2 || cmd.CompletedCount != 10 || cmd.TargetCount != 10 {
		t.Errorf("command %s errors %d completed %d targets %d", cmd.Status, cmd.ErrorCount, cmd.CompletedCount, cmd.TargetCount)
	}

	// With a percentage: 20% of 10 allows 2 errors; 3 failing nodes of 10
	// at concurrency 1 stop the run after the third.
	id = send(t, c, &ssm.SendCommandInput{
		Targets:        []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}},
		MaxConcurrency: aws.String("1"), MaxErrors: aws.String("20%"), Parameters: shell("exit 1"),
	})
	if cmd := waitCommand(t, c, id); cmd.ErrorCount != 3 {
		t.Errorf("MaxErrors 20%% of 10: %d errors, want 3", cmd.ErrorCount)
	}
}

func TestMaxConcurrency(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: linuxFleet(12)})
	c := ssmClient(s)
	shared := t.TempDir()
	id := send(t, c, &ssm.SendCommandInput{
		Targets:        []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}},
		MaxConcurrency: aws.String("25%"), // 3 of 12
		Parameters: shell(
			"D="+shared,
			`touch $D/running.$AWS_SSM_INSTANCE_ID`,
			`ls $D | grep -c running > $D/seen.$AWS_SSM_INSTANCE_ID`,
			`sleep 0.2`,
			`rm $D/running.$AWS_SSM_INSTANCE_ID`),
	})
	if cmd := waitCommand(t, c, id); cmd.Status != types.CommandStatusSuccess {
		t.Fatalf("command %s", cmd.Status)
	}
	peak := 0
	files, _ := filepath.Glob(filepath.Join(shared, "seen.*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		peak = max(peak, n)
	}
	if len(files) != 12 || peak > 3 || peak < 2 {
		t.Errorf("%d nodes ran, peak concurrency %d, want 12 and at most 3 (and more than 1)", len(files), peak)
	}
}

// unknownCommandID is a well-formed command ID no command has.
const unknownCommandID = "0b5c4c3e-7d1a-4f2e-9a6b-3c8d2e1f0a99"

func TestOutputTruncation(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: shell(
		`head -c 30000 /dev/zero | tr '\0' a`, `head -c 10000 /dev/zero | tr '\0' b >&2`)})
	waitCommand(t, c, id)
	got := getInvocation(t, c, id, linux1)
	out, errOut := aws.ToString(got.StandardOutputContent), aws.ToString(got.StandardErrorContent)
	if len(out) != 24000 || out != strings.Repeat("a", 24000-len("--output truncated--"))+"--output truncated--" {
		t.Errorf("stdout: %d characters ending %q", len(out), out[max(0, len(out)-30):])
	}
	if len(errOut) != 8000 || !strings.HasSuffix(errOut, "--output truncated--") {
		t.Errorf("stderr: %d characters ending %q", len(errOut), errOut[max(0, len(errOut)-30):])
	}
	inv := invocations(t, c, id)[linux1]
	output := aws.ToString(inv.CommandPlugins[0].Output)
	if len(output) > 2500 || len(output) < 2400 || !strings.Contains(output, "\n---Output truncated---\n----------ERROR-------\n") || !strings.HasSuffix(output, "\n---Error truncated----") {
		t.Errorf("Output: %d characters: %q...%q", len(output), output[:40], output[max(0, len(output)-60):])
	}

	// The truncation rules themselves: TestTruncation in internal/commands.
}

func TestSendCommandValidation(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	ids51 := make([]string, 51)
	for i := range ids51 {
		ids51[i] = fmt.Sprintf("i-%017x", i+1)
	}
	tests := []struct {
		name string
		in   ssm.SendCommandInput
		code string
	}{
		{"unknown node", ssm.SendCommandInput{InstanceIds: []string{"i-0123456789abcdef0"}}, "InvalidInstanceId"},
		{"inactive node", ssm.SendCommandInput{InstanceIds: []string{gone1}}, "InvalidInstanceId"},
		{"51 nodes", ssm.SendCommandInput{InstanceIds: ids51}, "ValidationException"},
		{"duplicate", ssm.SendCommandInput{InstanceIds: []string{linux1, linux1}}, "DuplicateInstanceId"},
		{"no targets", ssm.SendCommandInput{}, "ValidationException"},
		{"both", ssm.SendCommandInput{InstanceIds: []string{linux1}, Targets: []types.Target{{Key: aws.String("tag:Env"), Values: []string{"Dev"}}}}, "ValidationException"},
		{"6 targets", ssm.SendCommandInput{Targets: slices.Repeat([]types.Target{{Key: aws.String("tag:Env"), Values: []string{"Dev"}}}, 6)}, "ValidationException"},
		{"bad target key", ssm.SendCommandInput{Targets: []types.Target{{Key: aws.String("color"), Values: []string{"x"}}}}, "ValidationException"},
		{"timeout 29", ssm.SendCommandInput{InstanceIds: []string{linux1}, TimeoutSeconds: aws.Int32(29)}, "ValidationException"},
		{"concurrency 0", ssm.SendCommandInput{InstanceIds: []string{linux1}, MaxConcurrency: aws.String("0")}, "ValidationException"},
		{"errors 101%", ssm.SendCommandInput{InstanceIds: []string{linux1}, MaxErrors: aws.String("101%")}, "ValidationException"},
		{"comment 101", ssm.SendCommandInput{InstanceIds: []string{linux1}, Comment: aws.String(strings.Repeat("c", 101))}, "ValidationException"},
		{"unknown document", ssm.SendCommandInput{InstanceIds: []string{linux1}, DocumentName: aws.String("NoSuchDoc")}, "InvalidDocument"},
		{"unknown version", ssm.SendCommandInput{InstanceIds: []string{linux1}, DocumentVersion: aws.String("9")}, "InvalidDocumentVersion"},
		{"unknown parameter", ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: map[string][]string{"commands": {"x"}, "nope": {"y"}}}, "InvalidParameters"},
		{"missing commands", ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: map[string][]string{}}, "InvalidParameters"},
		{"empty commands", ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: map[string][]string{"commands": {}}}, "InvalidParameters"},
		{"bad executionTimeout", ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: map[string][]string{"commands": {"x"}, "executionTimeout": {"0"}}}, "InvalidParameters"},
		{"Windows node", ssm.SendCommandInput{InstanceIds: []string{linux1, win1}}, "UnsupportedPlatformType"},
		{"bad hash", ssm.SendCommandInput{InstanceIds: []string{linux1}, DocumentHash: aws.String("abc")}, "InvalidDocument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.DocumentName == nil {
				in.DocumentName = aws.String("AWS-RunShellScript")
			}
			if in.Parameters == nil {
				in.Parameters = shell("true")
			}
			_, err := c.SendCommand(ctx(), &in)
			if errorCode(err) != tt.code {
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
	out, err := c.ListCommands(ctx(), &ssm.ListCommandsInput{})
	if err != nil || len(out.Commands) != 0 {
		t.Errorf("refused commands were recorded: %v %d", err, len(out.Commands))
	}
}

func TestTargets(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet(), TimeoutScale: 0.01})
	c := ssmClient(s)
	tg := func(key string, values ...string) types.Target {
		return types.Target{Key: aws.String(key), Values: values}
	}
	tests := []struct {
		name    string
		targets []types.Target
		want    map[string]string // node -> status details
	}{
		{"tag values OR", []types.Target{tg("tag:Env", "Prod", "Gone")}, map[string]string{linux2: "Success", linux3: "Success", gone1: "Undeliverable"}},
		{"targets AND", []types.Target{tg("tag:Env", "Dev"), tg("tag:Role", "web")}, map[string]string{linux1: "Success", win1: "InvalidPlatform"}},
		{"tag-key", []types.Target{tg("tag-key", "Role")}, map[string]string{linux1: "Success", linux2: "Success", linux3: "Success", win1: "InvalidPlatform", hybrid1: "Success"}},
		{"InstanceIds target", []types.Target{tg("InstanceIds", linux3, "i-0123456789abcdef0")}, map[string]string{linux3: "Success", "i-0123456789abcdef0": "Undeliverable"}},
		{"resource group", []types.Target{tg("resource-groups:Name", "web"), tg("resource-groups:ResourceTypeFilters", "AWS::EC2::Instance")}, map[string]string{linux1: "Success", linux2: "Success"}},
		{"no match", []types.Target{tg("tag:Env", "Nowhere")}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := send(t, c, &ssm.SendCommandInput{Targets: tt.targets, Parameters: shell("true")})
			cmd := waitCommand(t, c, id)
			got := map[string]string{}
			for node, inv := range invocations(t, c, id) {
				got[node] = aws.ToString(inv.StatusDetails)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if int(cmd.TargetCount) != len(tt.want) {
				t.Errorf("TargetCount %d", cmd.TargetCount)
			}
			if len(tt.want) == 0 && (cmd.Status != types.CommandStatusSuccess || aws.ToString(cmd.StatusDetails) != "NoInstancesInTag") {
				t.Errorf("no targets: %s %s", cmd.Status, aws.ToString(cmd.StatusDetails))
			}
		})
	}
}

func TestWindowsNodes(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssmClient(s)
	_, err := c.SendCommand(ctx(), &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{win1}, Parameters: shell("echo hi")})
	if errorCode(err) != "UnsupportedPlatformType" || !strings.Contains(err.Error(), "Cannot perform operation for instance id "+win1+" of platform type Windows") {
		t.Errorf("AWS-RunShellScript on Windows: %v", err)
	}
	id := send(t, c, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunPowerShellScript"), InstanceIds: []string{win1}, Parameters: shell("echo from-windows")})
	waitCommand(t, c, id)
	if got := getInvocation(t, c, id, win1); got.Status != types.CommandInvocationStatusSuccess || aws.ToString(got.StandardOutputContent) != "from-windows\n" {
		t.Errorf("AWS-RunPowerShellScript on Windows: %s %q", got.Status, aws.ToString(got.StandardOutputContent))
	}
}

func TestListCommandInvocationsPaginationAndFilters(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: linuxFleet(7)})
	c := ssmClient(s)
	before := time.Now().Add(-time.Second)
	id := send(t, c, &ssm.SendCommandInput{Targets: []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}},
		Parameters: shell(`case $AWS_SSM_INSTANCE_ID in *1|*2) exit 1;; esac`), MaxErrors: aws.String("100%")})
	waitCommand(t, c, id)
	var pages, total int
	p := ssm.NewListCommandInvocationsPaginator(c, &ssm.ListCommandInvocationsInput{CommandId: aws.String(id), MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(page.CommandInvocations)
		for _, inv := range page.CommandInvocations {
			if len(inv.CommandPlugins) != 0 {
				t.Error("CommandPlugins without Details")
			}
		}
	}
	if pages != 3 || total != 7 {
		t.Errorf("%d pages, %d invocations; want 3 and 7", pages, total)
	}
	f := func(k types.CommandFilterKey, v string) types.CommandFilter {
		return types.CommandFilter{Key: k, Value: aws.String(v)}
	}
	count := func(filters ...types.CommandFilter) (int, error) {
		out, err := c.ListCommandInvocations(ctx(), &ssm.ListCommandInvocationsInput{CommandId: aws.String(id), Filters: filters})
		if err != nil {
			return 0, err
		}
		return len(out.CommandInvocations), nil
	}
	if n, err := count(f(types.CommandFilterKeyStatus, "Failed")); err != nil || n != 2 {
		t.Errorf("Status=Failed: %d %v", n, err)
	}
	if n, err := count(f(types.CommandFilterKeyInvokedAfter, before.UTC().Format(time.RFC3339))); err != nil || n != 7 {
		t.Errorf("InvokedAfter: %d %v", n, err)
	}
	if n, err := count(f(types.CommandFilterKeyInvokedBefore, before.UTC().Format(time.RFC3339))); err != nil || n != 0 {
		t.Errorf("InvokedBefore: %d %v", n, err)
	}
	if _, err := count(f(types.CommandFilterKeyExecutionStage, "Complete")); errorCode(err) != "InvalidFilterKey" {
		t.Errorf("ExecutionStage on invocations: %v", err)
	}
	if _, err := count(f(types.CommandFilterKeyStatus, "Bogus")); errorCode(err) != "InvalidFilterKey" {
		t.Errorf("bad status: %v", err)
	}
	_, err := c.ListCommandInvocations(ctx(), &ssm.ListCommandInvocationsInput{MaxResults: aws.Int32(51)})
	if errorCode(err) != "ValidationException" {
		t.Errorf("MaxResults 51: %v", err)
	}
	lc, err := c.ListCommands(ctx(), &ssm.ListCommandsInput{Filters: []types.CommandFilter{f(types.CommandFilterKeyExecutionStage, "Complete"), f(types.CommandFilterKeyStatus, "Failed")}})
	if err != nil || len(lc.Commands) != 0 {
		t.Errorf("ListCommands Complete+Failed: %v %d (MaxErrors 100%% makes it Incomplete)", err, len(lc.Commands))
	}
	lc, err = c.ListCommands(ctx(), &ssm.ListCommandsInput{Filters: []types.CommandFilter{f(types.CommandFilterKeyStatus, "Incomplete")}})
	if err != nil || len(lc.Commands) != 1 {
		t.Errorf("ListCommands Incomplete: %v %d", err, len(lc.Commands))
	}
}

func TestThousandNodes(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: linuxFleet(1000)})
	c := ssmClient(s)
	start := time.Now()
	id := send(t, c, &ssm.SendCommandInput{Targets: []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}},
		MaxConcurrency: aws.String("100"), Parameters: shell("echo ok")})
	cmd := waitCommand(t, c, id)
	elapsed := time.Since(start)
	if cmd.Status != types.CommandStatusSuccess || cmd.CompletedCount != 1000 || cmd.TargetCount != 1000 {
		t.Errorf("command %s completed %d of %d", cmd.Status, cmd.CompletedCount, cmd.TargetCount)
	}
	t.Logf("1,000 nodes at concurrency 100: %s", elapsed)
}

func TestCommandsPersist(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := New(Options{Fleet: testFleet(), StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	c := ssmClient(s1)
	id := send(t, c, &ssm.SendCommandInput{InstanceIds: []string{linux1}, Parameters: shell("echo kept")})
	waitCommand(t, c, id)
	if _, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: aws.String("Kept"), Content: aws.String(simpleDoc), DocumentType: types.DocumentTypeCommand}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := Start(t, Options{StatePath: path})
	c2 := ssmClient(s2)
	if got := getInvocation(t, c2, id, linux1); aws.ToString(got.StandardOutputContent) != "kept\n" || got.Status != types.CommandInvocationStatusSuccess {
		t.Errorf("after a restart: %s %q", got.Status, aws.ToString(got.StandardOutputContent))
	}
	if _, err := c2.DescribeDocument(ctx(), &ssm.DescribeDocumentInput{Name: aws.String("Kept")}); err != nil {
		t.Errorf("document after a restart: %v", err)
	}
	// The restored document runs.
	id = send(t, c2, &ssm.SendCommandInput{DocumentName: aws.String("Kept"), InstanceIds: []string{linux1}})
	if cmd := waitCommand(t, c2, id); cmd.Status != types.CommandStatusSuccess {
		t.Errorf("restored document: %s", cmd.Status)
	}
}
