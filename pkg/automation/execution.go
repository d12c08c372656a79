package automation

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Execution is an automation execution as ssmctl shows it.
type Execution struct {
	ID              string
	Document        string
	DocumentVersion string
	Status          string
	Mode            string
	Start, End      time.Time
	ExecutedBy      string
	Parent          string
	Target          string
	TargetParameter string
	ResolvedTargets []string
	MaxConcurrency  string
	MaxErrors       string
	CurrentStep     string
	CurrentAction   string
	FailureMessage  string
	Parameters      map[string][]string
	Outputs         map[string][]string
	Steps           []Step
	// Locations are the TargetLocations as "ACCOUNT/REGION" (one for a
	// child of a multi-account and multi-Region execution).
	Locations []string
}

// Step is one step execution.
type Step struct {
	ID             string
	Name           string
	Action         string
	Status         string
	Start, End     time.Time
	MaxAttempts    int
	TimeoutSeconds int64
	OnFailure      string
	IsCritical     bool
	IsEnd          bool
	NextStep       string
	Inputs         map[string]string
	Outputs        map[string][]string
	FailureMessage string
	FailureType    string
	// Location is the "ACCOUNT/REGION" of a multi-account and
	// multi-Region parent's step: the child execution it ran there (its
	// ID in Outputs["ExecutionId"]).
	Location string
}

// ChildID is the execution a step started (aws:executeAutomation, rate
// control and TargetLocations steps), if any.
func (s Step) ChildID() string {
	if ids := s.Outputs["ExecutionId"]; len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// Done says whether a status is final.
func Done(status string) bool {
	switch status {
	case "Success", "Failed", "TimedOut", "Cancelled", "CompletedWithSuccess", "CompletedWithFailure", "Rejected", "Exited", "ChangeCalendarOverrideRejected":
		return true
	}
	return false
}

// ExitCode is the exit code of an execution that ended with status: 0
// Success, 124 TimedOut, 1 any other end (Failed, Cancelled by someone
// else or by a failure, Rejected...). An execution the user interrupted
// exits with the signal's code instead (the command's part).
func ExitCode(status string) int {
	switch status {
	case "Success", "CompletedWithSuccess":
		return exitcode.OK
	case "TimedOut":
		return exitcode.Timeout
	}
	return exitcode.Failed
}

// Approvers reads an aws:approve step's approvers from its inputs.
func (s Step) Approvers() []string {
	var l []string
	if json.Unmarshal([]byte(s.Inputs["Approvers"]), &l) == nil {
		return l
	}
	var one string
	if json.Unmarshal([]byte(s.Inputs["Approvers"]), &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// WaitingForApproval says whether the step is an approval not yet given.
func (s Step) WaitingForApproval() bool {
	return s.Action == "aws:approve" && !Done(s.Status)
}

func fromSDK(e *types.AutomationExecution) Execution {
	x := Execution{
		ID: aws.ToString(e.AutomationExecutionId), Document: aws.ToString(e.DocumentName),
		DocumentVersion: aws.ToString(e.DocumentVersion), Status: string(e.AutomationExecutionStatus),
		Mode: string(e.Mode), Start: aws.ToTime(e.ExecutionStartTime), End: aws.ToTime(e.ExecutionEndTime),
		ExecutedBy: aws.ToString(e.ExecutedBy), Parent: aws.ToString(e.ParentAutomationExecutionId),
		Target: aws.ToString(e.Target), TargetParameter: aws.ToString(e.TargetParameterName),
		MaxConcurrency: aws.ToString(e.MaxConcurrency), MaxErrors: aws.ToString(e.MaxErrors),
		CurrentStep: aws.ToString(e.CurrentStepName), CurrentAction: aws.ToString(e.CurrentAction),
		FailureMessage: aws.ToString(e.FailureMessage), Parameters: e.Parameters, Outputs: e.Outputs,
	}
	if e.ResolvedTargets != nil {
		x.ResolvedTargets = e.ResolvedTargets.ParameterValues
	}
	for _, l := range e.TargetLocations {
		for _, a := range l.Accounts {
			for _, r := range l.Regions {
				x.Locations = append(x.Locations, a+"/"+r)
			}
		}
	}
	for _, s := range e.StepExecutions {
		x.Steps = append(x.Steps, stepFromSDK(s))
	}
	return x
}

func metadataFromSDK(e types.AutomationExecutionMetadata) Execution {
	x := Execution{
		ID: aws.ToString(e.AutomationExecutionId), Document: aws.ToString(e.DocumentName),
		DocumentVersion: aws.ToString(e.DocumentVersion), Status: string(e.AutomationExecutionStatus),
		Mode: string(e.Mode), Start: aws.ToTime(e.ExecutionStartTime), End: aws.ToTime(e.ExecutionEndTime),
		ExecutedBy: aws.ToString(e.ExecutedBy), Parent: aws.ToString(e.ParentAutomationExecutionId),
		Target: aws.ToString(e.Target), TargetParameter: aws.ToString(e.TargetParameterName),
		MaxConcurrency: aws.ToString(e.MaxConcurrency), MaxErrors: aws.ToString(e.MaxErrors),
		CurrentStep: aws.ToString(e.CurrentStepName), CurrentAction: aws.ToString(e.CurrentAction),
		FailureMessage: aws.ToString(e.FailureMessage), Outputs: e.Outputs,
	}
	if e.ResolvedTargets != nil {
		x.ResolvedTargets = e.ResolvedTargets.ParameterValues
	}
	return x
}

func stepFromSDK(s types.StepExecution) Step {
	st := Step{
		ID: aws.ToString(s.StepExecutionId), Name: aws.ToString(s.StepName), Action: aws.ToString(s.Action),
		Status: string(s.StepStatus), Start: aws.ToTime(s.ExecutionStartTime), End: aws.ToTime(s.ExecutionEndTime),
		MaxAttempts: int(aws.ToInt32(s.MaxAttempts)), TimeoutSeconds: aws.ToInt64(s.TimeoutSeconds),
		OnFailure: aws.ToString(s.OnFailure), IsCritical: aws.ToBool(s.IsCritical), IsEnd: aws.ToBool(s.IsEnd),
		NextStep: aws.ToString(s.NextStep), Inputs: s.Inputs, Outputs: s.Outputs,
		FailureMessage: aws.ToString(s.FailureMessage),
	}
	if s.FailureDetails != nil {
		st.FailureType = aws.ToString(s.FailureDetails.FailureType)
	}
	if l := s.TargetLocation; l != nil && len(l.Accounts) == 1 && len(l.Regions) == 1 {
		st.Location = l.Accounts[0] + "/" + l.Regions[0]
	}
	return st
}

// ParseParams reads KEY=VALUE parameters; a KEY given again adds a value
// (StringList), and VALUE may hold commas and "=".
func ParseParams(kvs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, exitcode.Usagef("--param %q: want KEY=VALUE", kv)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}
