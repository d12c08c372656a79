// Package automation is Systems Manager Automation: start a runbook (with
// rate control over targets), follow its steps to the end, list, show,
// stop and signal executions (approve, reject, start or stop a step,
// resume), and the exit code an execution's status maps to
// (docs/automation.md).
package automation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// API is the part of *ssm.Client that Automation uses.
type API interface {
	StartAutomationExecution(ctx context.Context, in *ssm.StartAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.StartAutomationExecutionOutput, error)
	GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error)
	DescribeAutomationExecutions(ctx context.Context, in *ssm.DescribeAutomationExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error)
	DescribeAutomationStepExecutions(ctx context.Context, in *ssm.DescribeAutomationStepExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error)
	StopAutomationExecution(ctx context.Context, in *ssm.StopAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.StopAutomationExecutionOutput, error)
	SendAutomationSignal(ctx context.Context, in *ssm.SendAutomationSignalInput, optFns ...func(*ssm.Options)) (*ssm.SendAutomationSignalOutput, error)
}

var _ API = (*ssm.Client)(nil)
