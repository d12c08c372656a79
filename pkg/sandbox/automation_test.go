package sandbox

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Automation through the SDK: the engine, the built-in runbooks,
// approvals, rate control, stop, and the validation of the operations.

func startAutomation(t *testing.T, c *ssm.Client, in *ssm.StartAutomationExecutionInput) string {
	t.Helper()
	out, err := c.StartAutomationExecution(ctx(), in)
	if err != nil {
		t.Fatalf("StartAutomationExecution: %v", err)
	}
	return *out.AutomationExecutionId
}

// waitAutomation polls until the execution's status is one of want (or
// terminal when want is empty).
func waitAutomation(t *testing.T, c *ssm.Client, id string, want ...types.AutomationExecutionStatus) *types.AutomationExecution {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.GetAutomationExecution(ctx(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: &id})
		if err != nil {
			t.Fatalf("GetAutomationExecution: %v", err)
		}
		e := out.AutomationExecution
		s := e.AutomationExecutionStatus
		if len(want) == 0 {
			switch s {
			case types.AutomationExecutionStatusSuccess, types.AutomationExecutionStatusFailed, types.AutomationExecutionStatusCancelled, types.AutomationExecutionStatusTimedout:
				return e
			}
		}
		for _, w := range want {
			if s == w {
				return e
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("execution %s never reached %v", id, want)
	return nil
}

func createRunbook(t *testing.T, c *ssm.Client, name, content string) {
	t.Helper()
	_, err := c.CreateDocument(ctx(), &ssm.CreateDocumentInput{Name: &name, Content: &content, DocumentType: types.DocumentTypeAutomation, DocumentFormat: types.DocumentFormatYaml})
	if err != nil {
		t.Fatalf("CreateDocument %s: %v", name, err)
	}
}

func stepStatuses(e *types.AutomationExecution) string {
	var parts []string
	for _, s := range e.StepExecutions {
		parts = append(parts, *s.StepName+"="+string(s.StepStatus))
	}
	return strings.Join(parts, " ")
}

func TestAutomationRestartAndApproval(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())

	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"),
		Parameters: map[string][]string{"InstanceId": {linux1}}})
	e := waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != "stopInstances=Success startInstances=Success" {
		t.Fatalf("restart: %s %s %s", e.AutomationExecutionStatus, stepStatuses(e), aws.ToString(e.FailureMessage))
	}
	if n, _ := s.nodes.Get(linux1); n.Ping != "Online" {
		t.Fatalf("after a restart the node is %s", n.Ping)
	}

	approval := func() string {
		return startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StopEC2InstanceWithApproval"),
			Parameters: map[string][]string{"InstanceId": {linux2}, "Approvers": {"sandbox-user"}, "SNSTopicArn": {"arn:aws:sns:us-east-1:123456789012:Automation-approvals"}}})
	}
	// Rejected: Failed, the node untouched.
	id = approval()
	waitAutomation(t, c, id, types.AutomationExecutionStatusWaiting)
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeResume}); err == nil || !strings.Contains(err.Error(), "InvalidAutomationSignalException") {
		t.Fatalf("Resume of an approval: %v", err)
	}
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeReject, Payload: map[string][]string{"Comment": {"not now"}}}); err != nil {
		t.Fatal(err)
	}
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || stepStatuses(e) != "approve=Failed" {
		t.Fatalf("rejected: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if n, _ := s.nodes.Get(linux2); n.Ping != "Online" {
		t.Fatalf("after a rejection the node is %s", n.Ping)
	}
	// Approved: the node stops, its ping status follows.
	id = approval()
	waitAutomation(t, c, id, types.AutomationExecutionStatusWaiting)
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeApprove}); err != nil {
		t.Fatal(err)
	}
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
		t.Fatalf("approved: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if n, _ := s.nodes.Get(linux2); n.Ping != "ConnectionLost" || n.InstanceState() != "stopped" {
		t.Fatalf("after the stop the node is %s %s", n.Ping, n.InstanceState())
	}
	if got := e.StepExecutions[0].Outputs["ApprovalStatus"]; len(got) != 1 || got[0] != "Approved" {
		t.Fatalf("ApprovalStatus %v", got)
	}
}

const branchRunbook = `
schemaVersion: '0.3'
parameters:
  Node:
    type: String
  Code:
    type: Integer
    default: 0
outputs:
  - run.Status
mainSteps:
  - name: run
    action: aws:runCommand
    onFailure: step:cleanup
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds: ['{{ Node }}']
      Parameters:
        commands: ['echo hello; exit {{ Code }}']
  - name: choose
    action: aws:branch
    inputs:
      Choices:
        - NextStep: good
          Variable: '{{ run.Output }}'
          StartsWith: hello
      Default: cleanup
  - name: good
    action: aws:sleep
    isEnd: true
    inputs:
      Duration: PT0.01S
  - name: cleanup
    action: aws:sleep
    inputs:
      Duration: PT0S
`

func TestAutomationBranchRunCommandOnFailure(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())
	createRunbook(t, c, "Branchy", branchRunbook)

	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Branchy"), Parameters: map[string][]string{"Node": {linux1}}})
	e := waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != "run=Success choose=Success good=Success" {
		t.Fatalf("ok path: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if out := e.StepExecutions[0].Outputs["Output"]; len(out) != 1 || out[0] != "hello\n" {
		t.Fatalf("run's Output %q", out)
	}
	if out := e.Outputs["run.Status"]; len(out) != 1 || out[0] != "Success" {
		t.Fatalf("document outputs %v", e.Outputs)
	}

	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Branchy"), Parameters: map[string][]string{"Node": {linux1}, "Code": {"3"}}})
	e = waitAutomation(t, c, id)
	// The failed step is critical: the execution fails after its cleanup.
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || stepStatuses(e) != "run=Failed cleanup=Success" {
		t.Fatalf("failure path: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if msg := aws.ToString(e.StepExecutions[0].FailureMessage); !strings.Contains(msg, "ResponseCode=[3]") {
		t.Fatalf("failure message %q", msg)
	}
}

func TestAutomationTimeoutAttemptsCancel(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())
	createRunbook(t, c, "Slow", `
schemaVersion: '0.3'
mainSteps:
  - name: nap
    action: aws:sleep
    timeoutSeconds: 1
    maxAttempts: 2
    inputs:
      Duration: PT60S
`)
	createRunbook(t, c, "Paused", `
schemaVersion: '0.3'
mainSteps:
  - name: hold
    action: aws:pause
    onCancel: step:undo
    inputs: {}
  - name: after
    action: aws:sleep
    inputs:
      Duration: PT0S
  - name: undo
    action: aws:sleep
    inputs:
      Duration: PT0S
`)
	start := time.Now()
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Slow")})
	e := waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusTimedout || e.StepExecutions[0].StepStatus != types.AutomationExecutionStatusTimedout {
		t.Fatalf("timeout: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("two attempts of 1 s took %s", d)
	}

	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Paused")})
	waitAutomation(t, c, id, types.AutomationExecutionStatusWaiting)
	if _, err := c.StopAutomationExecution(ctx(), &ssm.StopAutomationExecutionInput{AutomationExecutionId: &id}); err != nil {
		t.Fatal(err)
	}
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusCancelled || stepStatuses(e) != "hold=Cancelled undo=Success" {
		t.Fatalf("cancel: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if _, err := c.StopAutomationExecution(ctx(), &ssm.StopAutomationExecutionInput{AutomationExecutionId: &id}); err == nil || !strings.Contains(err.Error(), "InvalidAutomationStatusUpdateException") {
		t.Fatalf("stop of an ended execution: %v", err)
	}

	// Resume lets a pause go on.
	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Paused")})
	waitAutomation(t, c, id, types.AutomationExecutionStatusWaiting)
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeResume, Payload: map[string][]string{"StepName": {"hold"}}}); err != nil {
		t.Fatal(err)
	}
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != "hold=Success after=Success undo=Success" {
		t.Fatalf("resume: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
}

func TestAutomationRateControl(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: linuxFleet(20)})
	c := ssm.NewFromConfig(s.AWSConfig())
	createRunbook(t, c, "FailOdd", `
schemaVersion: '0.3'
parameters:
  InstanceId:
    type: String
mainSteps:
  - name: check
    action: aws:branch
    inputs:
      Choices:
        - NextStep: bad
          Variable: '{{ InstanceId }}'
          EndsWith: '3'
      Default: good
  - name: good
    action: aws:sleep
    isEnd: true
    inputs:
      Duration: PT0.3S
  - name: bad
    action: aws:assertAwsResourceProperty
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: ['{{ InstanceId }}']
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues: [stopped]
`)
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("FailOdd"), TargetParameterName: aws.String("InstanceId"),
		Targets: []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}}, MaxConcurrency: aws.String("5"), MaxErrors: aws.String("0")})
	e := waitAutomation(t, c, id)
	// i-…03 fails in the first batch of 5: beyond MaxErrors 0, no more start.
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || len(e.ResolvedTargets.ParameterValues) != 20 {
		t.Fatalf("rate control: %s %v", e.AutomationExecutionStatus, e.ResolvedTargets)
	}
	if len(e.StepExecutions) != 5 {
		t.Fatalf("more than the first batch started despite MaxErrors: %s", stepStatuses(e))
	}
	children, err := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{Filters: []types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(children.AutomationExecutionMetadataList) != len(e.StepExecutions) {
		t.Fatalf("%d children, %d steps", len(children.AutomationExecutionMetadataList), len(e.StepExecutions))
	}

	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("FailOdd"), TargetParameterName: aws.String("InstanceId"),
		Targets: []types.Target{{Key: aws.String("tag:Fleet"), Values: []string{"big"}}}, MaxConcurrency: aws.String("50%"), MaxErrors: aws.String("10%")})
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || len(e.StepExecutions) != 20 || e.ProgressCounters.FailedSteps != 2 {
		t.Fatalf("within MaxErrors: %s %d steps %+v", e.AutomationExecutionStatus, len(e.StepExecutions), e.ProgressCounters)
	}
}

func TestAutomationValidation(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())
	for _, tc := range []struct {
		in   ssm.StartAutomationExecutionInput
		want string
	}{
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("No-Such-Runbook")}, "AutomationDefinitionNotFoundException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RunShellScript")}, "AutomationDefinitionNotFoundException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance")}, "InvalidAutomationExecutionParametersException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), Parameters: map[string][]string{"Nope": {"x"}}}, "InvalidAutomationExecutionParametersException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), DocumentVersion: aws.String("9")}, "AutomationDefinitionVersionNotFoundException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), MaxConcurrency: aws.String("0")}, "ValidationException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), Mode: "Sometimes"}, "ValidationException"},
	} {
		_, err := c.StartAutomationExecution(ctx(), &tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", aws.ToString(tc.in.DocumentName), err, tc.want)
		}
	}
	if _, err := c.GetAutomationExecution(ctx(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String("00000000-0000-4000-8000-000000000000")}); err == nil || !strings.Contains(err.Error(), "AutomationExecutionNotFoundException") {
		t.Errorf("unknown execution: %v", err)
	}
	out, err := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{})
	if err != nil || len(out.AutomationExecutionMetadataList) != 0 {
		t.Fatalf("nothing started: %v %v", out, err)
	}
}

func TestAutomationChildApiInteractive(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())
	if _, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/app/color"), Value: aws.String("blue"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	createRunbook(t, c, "Parent", `
schemaVersion: '0.3'
outputs: [read.Color]
mainSteps:
  - name: read
    action: aws:executeAwsApi
    inputs:
      Service: ssm
      Api: GetParameter
      Name: /app/color
    outputs:
      - Name: Color
        Selector: $.Parameter.Value
        Type: String
  - name: child
    action: aws:executeAutomation
    inputs:
      DocumentName: AWS-StopEC2Instance
      RuntimeParameters:
        InstanceId: ['`+linux3+`']
  - name: check
    action: aws:waitForAwsResourceProperty
    timeoutSeconds: 5
    inputs:
      Service: ec2
      Api: DescribeInstanceStatus
      InstanceIds: ['`+linux3+`']
      PropertySelector: $.InstanceStatuses[0].InstanceState.Name
      DesiredValues: [stopped]
  - name: unsupported
    action: aws:createImage
    onFailure: Continue
    inputs:
      InstanceId: `+linux3+`
      ImageName: x
`)
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Parent")})
	e := waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != "read=Success child=Success check=Success unsupported=Failed" {
		t.Fatalf("parent: %s %s %s", e.AutomationExecutionStatus, stepStatuses(e), aws.ToString(e.FailureMessage))
	}
	if got := e.Outputs["read.Color"]; len(got) != 1 || got[0] != "blue" {
		t.Fatalf("outputs %v", e.Outputs)
	}
	if msg := aws.ToString(e.StepExecutions[3].FailureMessage); !strings.Contains(msg, "does not run aws:createImage") {
		t.Fatalf("unsupported action: %q", msg)
	}
	children, err := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{Filters: []types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}})
	if err != nil || len(children.AutomationExecutionMetadataList) != 1 || aws.ToString(children.AutomationExecutionMetadataList[0].DocumentName) != "AWS-StopEC2Instance" {
		t.Fatalf("child: %+v %v", children, err)
	}

	// Interactive: nothing runs until StartStep; Complete ends it Success.
	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), Mode: types.ExecutionModeInteractive,
		Parameters: map[string][]string{"InstanceId": {linux1}}})
	waitAutomation(t, c, id, types.AutomationExecutionStatusWaiting)
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeStartStep, Payload: map[string][]string{"StepName": {"nope"}}}); err == nil || !strings.Contains(err.Error(), "AutomationStepNotFoundException") {
		t.Fatalf("unknown step: %v", err)
	}
	if _, err := c.SendAutomationSignal(ctx(), &ssm.SendAutomationSignalInput{AutomationExecutionId: &id, SignalType: types.SignalTypeStartStep, Payload: map[string][]string{"StepName": {"stopInstances"}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := c.GetAutomationExecution(ctx(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: &id})
		if e := out.AutomationExecution; len(e.StepExecutions) == 1 && e.StepExecutions[0].StepStatus == types.AutomationExecutionStatusSuccess && e.AutomationExecutionStatus == types.AutomationExecutionStatusWaiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("stopInstances never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := c.StopAutomationExecution(ctx(), &ssm.StopAutomationExecutionInput{AutomationExecutionId: &id, Type: types.StopTypeComplete}); err != nil {
		t.Fatal(err)
	}
	if e := waitAutomation(t, c, id); e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != "stopInstances=Success" {
		t.Fatalf("interactive: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}

	// The same client token is the same execution.
	token := "0f0e0d0c-0b0a-4909-8807-060504030201"
	a := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"), ClientToken: &token, Parameters: map[string][]string{"InstanceId": {linux1}}})
	b := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"), ClientToken: &token, Parameters: map[string][]string{"InstanceId": {linux1}}})
	if a != b {
		t.Fatalf("token: %s then %s", a, b)
	}
	if _, err := c.StartAutomationExecution(ctx(), &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"), ClientToken: &token, Parameters: map[string][]string{"InstanceId": {linux2}}}); err == nil || !strings.Contains(err.Error(), "IdempotentParameterMismatch") {
		t.Fatalf("token reused: %v", err)
	}
}

// Executions are in the state file; one the sandbox stopped while it ran
// ends Failed on restart (its engine is gone), with its steps.
func TestAutomationStateAcrossRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := New(Options{StatePath: path, Fleet: testFleet()})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	c := ssm.NewFromConfig(s1.AWSConfig())
	done := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-StartEC2Instance"), Parameters: map[string][]string{"InstanceId": {linux1}}})
	waitAutomation(t, c, done)
	createRunbook(t, c, "Held", "schemaVersion: '0.3'\nmainSteps:\n  - name: hold\n    action: aws:pause\n    inputs: {}\n")
	held := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Held")})
	waitAutomation(t, c, held, types.AutomationExecutionStatusWaiting)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := Start(t, Options{StatePath: path})
	c = ssm.NewFromConfig(s2.AWSConfig())
	if e := waitAutomation(t, c, done); e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
		t.Fatalf("finished execution after restart: %s", e.AutomationExecutionStatus)
	}
	e := waitAutomation(t, c, held)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || stepStatuses(e) != "hold=Failed" || !strings.Contains(aws.ToString(e.FailureMessage), "sandbox stopped") {
		t.Fatalf("unfinished execution after restart: %s %s %q", e.AutomationExecutionStatus, stepStatuses(e), aws.ToString(e.FailureMessage))
	}
}

// TargetMaps: one child per map, the map's parameters over the common
// ones, with MaxConcurrency and MaxErrors; the checks AWS makes first.
func TestAutomationTargetMaps(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})
	c := ssm.NewFromConfig(s.AWSConfig())
	createRunbook(t, c, "ExitWith", `
schemaVersion: '0.3'
parameters:
  Node:
    type: String
  Code:
    type: String
    default: '0'
mainSteps:
  - name: run
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds: ['{{ Node }}']
      Parameters:
        commands: ['echo code {{ Code }}', 'exit {{ Code }}']
`)
	maps := []map[string][]string{{"Code": {"0"}}, {"Code": {"3"}}, {"Node": {linux2}, "Code": {"0"}}}
	id := startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), Parameters: map[string][]string{"Node": {linux1}},
		TargetMaps: maps, MaxConcurrency: aws.String("1"), MaxErrors: aws.String("0")})
	e := waitAutomation(t, c, id)
	// One at a time: the second map fails, beyond MaxErrors 0 the third
	// does not start.
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || stepStatuses(e) != "Code=0=Success Code=3=Failed" {
		t.Fatalf("MaxErrors 0: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if len(e.TargetMaps) != 3 || e.ProgressCounters == nil || e.ProgressCounters.FailedSteps != 1 {
		t.Fatalf("parent: maps %v counters %+v", e.TargetMaps, e.ProgressCounters)
	}
	child := waitAutomation(t, c, e.StepExecutions[1].Outputs["ExecutionId"][0])
	if p := child.Parameters; p["Node"][0] != linux1 || p["Code"][0] != "3" || aws.ToString(child.ParentAutomationExecutionId) != id {
		t.Fatalf("child: %v parent %s", p, aws.ToString(child.ParentAutomationExecutionId))
	}

	// With TargetParameterName: the children are named after it and it is
	// what the parent resolved; one error is allowed.
	id = startAutomation(t, c, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), Parameters: map[string][]string{"Node": {linux1}},
		TargetMaps: []map[string][]string{{"Node": {linux1}, "Code": {"3"}}, {"Node": {linux2}}}, TargetParameterName: aws.String("Node"), MaxErrors: aws.String("1")})
	e = waitAutomation(t, c, id)
	if e.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || stepStatuses(e) != linux1+"=Failed "+linux2+"=Success" {
		t.Fatalf("MaxErrors 1: %s %s", e.AutomationExecutionStatus, stepStatuses(e))
	}
	if e.ResolvedTargets == nil || strings.Join(e.ResolvedTargets.ParameterValues, " ") != linux1+" "+linux2 {
		t.Fatalf("resolved %+v", e.ResolvedTargets)
	}

	tooMany := map[string][]string{}
	for i := range 21 {
		tooMany[fmt.Sprintf("K%d", i)] = []string{"v"}
	}
	for _, tc := range []struct {
		in   ssm.StartAutomationExecutionInput
		want string
	}{
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), TargetMaps: maps, TargetParameterName: aws.String("Node"),
			Targets: []types.Target{{Key: aws.String("ParameterValues"), Values: []string{linux1}}}}, "Both Targets and TargetMaps can't be specified together"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), TargetMaps: []map[string][]string{{"Node": {linux1}}, {"Nope": {"x"}}}}, "InvalidAutomationExecutionParametersException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), TargetMaps: []map[string][]string{{"Code": {"0"}}}}, "InvalidAutomationExecutionParametersException"},
		{ssm.StartAutomationExecutionInput{DocumentName: aws.String("ExitWith"), TargetMaps: []map[string][]string{tooMany}}, "ValidationException"},
	} {
		before, _ := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{})
		_, err := c.StartAutomationExecution(ctx(), &tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %s", tc.in.TargetMaps, err, tc.want)
		}
		after, _ := c.DescribeAutomationExecutions(ctx(), &ssm.DescribeAutomationExecutionsInput{})
		if len(after.AutomationExecutionMetadataList) != len(before.AutomationExecutionMetadataList) {
			t.Errorf("%v: an execution started", tc.in.TargetMaps)
		}
	}
}
