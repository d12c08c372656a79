package sandbox

import (
	"testing"
)

// Automation and STS through the AWS CLI: the sandbox's answers parse in
// a client nobody here wrote.
func TestAutomationAWSCLI(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Fleet: testFleet()})

	var who struct{ Arn, Account, UserId string }
	awsCLI(t, s, &who, "sts", "get-caller-identity")
	if who.Arn != "arn:aws:iam::"+who.Account+":user/sandbox-user" || who.UserId == "" {
		t.Fatalf("get-caller-identity: %+v", who)
	}

	var started struct{ AutomationExecutionId string }
	awsCLI(t, s, &started, "ssm", "start-automation-execution", "--document-name", "AWS-RestartEC2Instance", "--parameters", "InstanceId="+linux1)
	if len(started.AutomationExecutionId) != 36 {
		t.Fatalf("start: %+v", started)
	}
	var got struct {
		AutomationExecution struct {
			AutomationExecutionStatus string
			StepExecutions            []struct{ StepName, StepStatus string }
		}
	}
	for range 200 {
		awsCLI(t, s, &got, "ssm", "get-automation-execution", "--automation-execution-id", started.AutomationExecutionId)
		if got.AutomationExecution.AutomationExecutionStatus == "Success" {
			break
		}
	}
	if e := got.AutomationExecution; e.AutomationExecutionStatus != "Success" || len(e.StepExecutions) != 2 {
		t.Fatalf("get: %+v", e)
	}
	var list struct {
		AutomationExecutionMetadataList []struct{ AutomationExecutionId string }
	}
	awsCLI(t, s, &list, "ssm", "describe-automation-executions", "--filters", "Key=DocumentNamePrefix,Values=AWS-Restart")
	if len(list.AutomationExecutionMetadataList) != 1 {
		t.Fatalf("describe: %+v", list)
	}
	var steps struct{ StepExecutions []struct{ StepName string } }
	awsCLI(t, s, &steps, "ssm", "describe-automation-step-executions", "--automation-execution-id", started.AutomationExecutionId, "--reverse-order")
	if len(steps.StepExecutions) != 2 || steps.StepExecutions[0].StepName != "startInstances" {
		t.Fatalf("steps: %+v", steps)
	}

	// TargetMaps in the CLI's shorthand: one child per map.
	awsCLI(t, s, &started, "ssm", "start-automation-execution", "--document-name", "AWS-StartEC2Instance",
		"--target-maps", "InstanceId="+linux1, "InstanceId="+linux2, "--max-concurrency", "1")
	var parent struct {
		AutomationExecution struct {
			AutomationExecutionStatus string
			TargetMaps                []map[string][]string
			StepExecutions            []struct{ StepName, Action, StepStatus string }
		}
	}
	for range 200 {
		awsCLI(t, s, &parent, "ssm", "get-automation-execution", "--automation-execution-id", started.AutomationExecutionId)
		if parent.AutomationExecution.AutomationExecutionStatus == "Success" {
			break
		}
	}
	if e := parent.AutomationExecution; e.AutomationExecutionStatus != "Success" || len(e.TargetMaps) != 2 || len(e.StepExecutions) != 2 ||
		e.StepExecutions[0].Action != "aws:executeAutomation" || e.StepExecutions[1].StepName != "InstanceId="+linux2 {
		t.Fatalf("target maps: %+v", e)
	}
}
