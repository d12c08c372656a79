package automation

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// The stored execution and its steps.

// execution is one StartAutomationExecution (or a child of one).
type execution struct {
	ID                  string              `json:"id"`
	DocumentName        string              `json:"documentName"`
	DocumentVersion     string              `json:"documentVersion"`
	Status              string              `json:"status"`
	Mode                string              `json:"mode"`
	Start               time.Time           `json:"start"`
	End                 time.Time           `json:"end,omitzero"`
	Parameters          map[string][]string `json:"parameters,omitempty"`
	Outputs             map[string][]string `json:"outputs,omitempty"`
	FailureMessage      string              `json:"failureMessage,omitempty"`
	ParentID            string              `json:"parentId,omitempty"`
	ExecutedBy          string              `json:"executedBy"`
	CurrentStep         string              `json:"currentStep,omitempty"`
	CurrentAction       string              `json:"currentAction,omitempty"`
	TargetParameterName string              `json:"targetParameterName,omitempty"`
	Targets             []targetWire        `json:"targets,omitempty"`
	// TargetMaps: one child execution per map (rate control).
	TargetMaps      []map[string][]string `json:"targetMaps,omitempty"`
	ResolvedTargets []string              `json:"resolvedTargets,omitempty"`
	MaxConcurrency  string                `json:"maxConcurrency,omitempty"`
	MaxErrors       string                `json:"maxErrors,omitempty"`
	Target          string                `json:"target,omitempty"`
	ClientToken     string                `json:"clientToken,omitempty"`
	Fingerprint     uint64                `json:"fingerprint,omitempty"`
	Tags            map[string]string     `json:"tags,omitempty"`
	Steps           []*stepExec           `json:"steps"`
	// StopType is the StopAutomationExecution type asked for, if any.
	StopType string `json:"stopType,omitempty"`
	// Locations are a parent's TargetLocations; Location is where a
	// child of one runs.
	Locations []targetLocationWire `json:"locations,omitempty"`
	Location  *location            `json:"location,omitempty"`

	// Runtime only.
	content *documents.AutomationContent
	params  map[string]any // typed parameter values
	ctx     context.Context
	cancel  context.CancelFunc
	wake    chan struct{} // a signal or a stop arrived
	signals []signal
}

// stepExec is one step run (a step run again after a branch or a
// step:NAME jump is a new stepExec).
type stepExec struct {
	ID             string              `json:"id"`
	Name           string              `json:"name"`
	Action         string              `json:"action"`
	TimeoutSeconds int64               `json:"timeoutSeconds,omitempty"`
	OnFailure      string              `json:"onFailure"`
	MaxAttempts    int                 `json:"maxAttempts"`
	Start          time.Time           `json:"start,omitzero"`
	End            time.Time           `json:"end,omitzero"`
	Status         string              `json:"status"`
	Inputs         map[string]string   `json:"inputs,omitempty"`
	Outputs        map[string][]string `json:"outputs,omitempty"`
	Response       string              `json:"response,omitempty"`
	FailureMessage string              `json:"failureMessage,omitempty"`
	FailureType    string              `json:"failureType,omitempty"`
	IsEnd          bool                `json:"isEnd"`
	NextStep       string              `json:"nextStep,omitempty"`
	IsCritical     bool                `json:"isCritical"`
	ValidNext      []string            `json:"validNextSteps,omitempty"`
	Attempts       int                 `json:"attempts,omitempty"`
	Location       *location           `json:"location,omitempty"`
}

// location is one account (or OU) and Region of a TargetLocation.
type location struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Role    string `json:"role,omitempty"`
}

func (l *location) wire() *targetLocationWire {
	if l == nil {
		return nil
	}
	w := &targetLocationWire{Accounts: []string{l.Account}, Regions: []string{l.Region}}
	if l.Role != "" {
		w.ExecutionRoleName = &l.Role
	}
	return w
}

// automationType is CrossAccount for a parent of TargetLocations and its
// children, Local for the others.
func (e *execution) automationType() string {
	if len(e.Locations) > 0 || e.Location != nil {
		return "CrossAccount"
	}
	return "Local"
}

// signal is a SendAutomationSignal the engine has yet to act on.
type signal struct {
	Type    string
	Payload map[string][]string
	Caller  string
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (e *execution) step(name string) *stepExec {
	for i := len(e.Steps) - 1; i >= 0; i-- {
		if e.Steps[i].Name == name {
			return e.Steps[i]
		}
	}
	return nil
}

// rateControlled says whether the execution is a parent of rate
// control: Targets with TargetParameterName, or TargetMaps.
func (e *execution) rateControlled() bool {
	return e.TargetParameterName != "" || len(e.TargetMaps) > 0
}

func (e *execution) resolved() *resolvedTargets {
	if e.TargetParameterName == "" {
		return nil
	}
	return &resolvedTargets{ParameterValues: append([]string{}, e.ResolvedTargets...)}
}

func (e *execution) counters() *progressCounters {
	var p progressCounters
	for _, s := range e.Steps {
		if s.Status == "Pending" {
			continue
		}
		p.TotalSteps++
		switch s.Status {
		case "Success":
			p.SuccessSteps++
		case "Failed":
			p.FailedSteps++
		case "Cancelled":
			p.CancelledSteps++
		case "TimedOut":
			p.TimedOutSteps++
		}
	}
	return &p
}

func epochOrNil(t time.Time) *protocol.EpochTime {
	if t.IsZero() {
		return nil
	}
	return protocol.Epoch(t)
}

func (e *execution) wire() automationExecutionWire {
	w := automationExecutionWire{
		AutomationExecutionId: e.ID, DocumentName: e.DocumentName, DocumentVersion: e.DocumentVersion,
		ExecutionStartTime: epochOrNil(e.Start), ExecutionEndTime: epochOrNil(e.End),
		AutomationExecutionStatus: e.Status, Parameters: e.Parameters, Outputs: e.Outputs,
		FailureMessage: e.FailureMessage, Mode: e.Mode, ParentAutomationExecutionId: e.ParentID,
		ExecutedBy: e.ExecutedBy, CurrentStepName: e.CurrentStep, CurrentAction: e.CurrentAction,
		TargetParameterName: e.TargetParameterName, Targets: e.Targets, ResolvedTargets: e.resolved(),
		MaxConcurrency: e.MaxConcurrency, MaxErrors: e.MaxErrors, Target: e.Target,
		StepExecutions: []stepExecutionWire{},
	}
	for _, s := range e.Steps {
		w.StepExecutions = append(w.StepExecutions, s.wire())
	}
	if e.rateControlled() || len(e.Locations) > 0 {
		w.ProgressCounters = e.counters()
	}
	w.TargetMaps = e.TargetMaps
	w.TargetLocations = e.Locations
	if e.Location != nil {
		w.TargetLocations = []targetLocationWire{*e.Location.wire()}
	}
	return w
}

func (e *execution) metadata() automationExecutionMetadataWire {
	return automationExecutionMetadataWire{
		AutomationExecutionId: e.ID, DocumentName: e.DocumentName, DocumentVersion: e.DocumentVersion,
		AutomationExecutionStatus: e.Status, ExecutionStartTime: epochOrNil(e.Start), ExecutionEndTime: epochOrNil(e.End),
		ExecutedBy: e.ExecutedBy, Outputs: e.Outputs, Mode: e.Mode, ParentAutomationExecutionId: e.ParentID,
		CurrentStepName: e.CurrentStep, CurrentAction: e.CurrentAction, FailureMessage: e.FailureMessage,
		TargetParameterName: e.TargetParameterName, Targets: e.Targets, ResolvedTargets: e.resolved(),
		MaxConcurrency: e.MaxConcurrency, MaxErrors: e.MaxErrors, Target: e.Target, AutomationType: e.automationType(),
		TargetMaps: e.TargetMaps,
	}
}

func (s *stepExec) wire() stepExecutionWire {
	w := stepExecutionWire{
		StepName: s.Name, Action: s.Action, OnFailure: s.OnFailure, MaxAttempts: s.MaxAttempts,
		ExecutionStartTime: epochOrNil(s.Start), ExecutionEndTime: epochOrNil(s.End), StepStatus: s.Status,
		Inputs: s.Inputs, Outputs: s.Outputs, Response: s.Response, FailureMessage: s.FailureMessage,
		StepExecutionId: s.ID, IsEnd: s.IsEnd, NextStep: s.NextStep, IsCritical: s.IsCritical, ValidNextSteps: s.ValidNext,
		TargetLocation: s.Location.wire(),
	}
	if s.TimeoutSeconds > 0 {
		t := s.TimeoutSeconds
		w.TimeoutSeconds = &t
	}
	if s.FailureMessage != "" {
		w.FailureDetails = &failureDetails{FailureStage: "Execution", FailureType: s.FailureType}
		if s.FailureType == "" {
			w.FailureDetails.FailureType = "Unknown"
		}
	}
	return w
}
