package automation

import (
	"encoding/json"
	"net/http"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// Wire types of the Automation operations (botocore's ssm/2014-11-06
// model: members, limits, enums and error names).

type targetWire struct {
	Key    *string  `json:"Key,omitempty"`
	Values []string `json:"Values"`
}

type startAutomationExecutionInput struct {
	DocumentName        *string               `json:"DocumentName"`
	DocumentVersion     *string               `json:"DocumentVersion"`
	Parameters          map[string][]string   `json:"Parameters"`
	ClientToken         *string               `json:"ClientToken"`
	Mode                *string               `json:"Mode"`
	TargetParameterName *string               `json:"TargetParameterName"`
	Targets             []targetWire          `json:"Targets"`
	TargetMaps          []map[string][]string `json:"TargetMaps"`
	MaxConcurrency      *string               `json:"MaxConcurrency"`
	MaxErrors           *string               `json:"MaxErrors"`
	TargetLocations     []targetLocationWire  `json:"TargetLocations"`
	Tags                []tagWire             `json:"Tags"`
	AlarmConfiguration  json.RawMessage       `json:"AlarmConfiguration"`
	TargetLocationsURL  *string               `json:"TargetLocationsURL"`
}

// targetLocationWire is a TargetLocation: the accounts (or OUs) and
// Regions a parent runs children in, and their rate control.
type targetLocationWire struct {
	Accounts                     []string     `json:"Accounts,omitempty"`
	Regions                      []string     `json:"Regions,omitempty"`
	TargetLocationMaxConcurrency *string      `json:"TargetLocationMaxConcurrency,omitempty"`
	TargetLocationMaxErrors      *string      `json:"TargetLocationMaxErrors,omitempty"`
	ExecutionRoleName            *string      `json:"ExecutionRoleName,omitempty"`
	Targets                      []targetWire `json:"Targets,omitempty"`
	TargetsMaxConcurrency        *string      `json:"TargetsMaxConcurrency,omitempty"`
	TargetsMaxErrors             *string      `json:"TargetsMaxErrors,omitempty"`
}

type tagWire struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type startAutomationExecutionOutput struct {
	AutomationExecutionId string `json:"AutomationExecutionId"`
}

type executionIDInput struct {
	AutomationExecutionId *string `json:"AutomationExecutionId"`
}

type getAutomationExecutionOutput struct {
	AutomationExecution automationExecutionWire `json:"AutomationExecution"`
}

type resolvedTargets struct {
	ParameterValues []string `json:"ParameterValues"`
	Truncated       bool     `json:"Truncated"`
}

type progressCounters struct {
	TotalSteps     int `json:"TotalSteps"`
	SuccessSteps   int `json:"SuccessSteps"`
	FailedSteps    int `json:"FailedSteps"`
	CancelledSteps int `json:"CancelledSteps"`
	TimedOutSteps  int `json:"TimedOutSteps"`
}

type automationExecutionWire struct {
	AutomationExecutionId       string                `json:"AutomationExecutionId"`
	DocumentName                string                `json:"DocumentName"`
	DocumentVersion             string                `json:"DocumentVersion"`
	ExecutionStartTime          *protocol.EpochTime   `json:"ExecutionStartTime,omitempty"`
	ExecutionEndTime            *protocol.EpochTime   `json:"ExecutionEndTime,omitempty"`
	AutomationExecutionStatus   string                `json:"AutomationExecutionStatus"`
	StepExecutions              []stepExecutionWire   `json:"StepExecutions"`
	StepExecutionsTruncated     bool                  `json:"StepExecutionsTruncated"`
	Parameters                  map[string][]string   `json:"Parameters,omitempty"`
	Outputs                     map[string][]string   `json:"Outputs,omitempty"`
	FailureMessage              string                `json:"FailureMessage,omitempty"`
	Mode                        string                `json:"Mode"`
	ParentAutomationExecutionId string                `json:"ParentAutomationExecutionId,omitempty"`
	ExecutedBy                  string                `json:"ExecutedBy"`
	CurrentStepName             string                `json:"CurrentStepName,omitempty"`
	CurrentAction               string                `json:"CurrentAction,omitempty"`
	TargetParameterName         string                `json:"TargetParameterName,omitempty"`
	Targets                     []targetWire          `json:"Targets,omitempty"`
	ResolvedTargets             *resolvedTargets      `json:"ResolvedTargets,omitempty"`
	MaxConcurrency              string                `json:"MaxConcurrency,omitempty"`
	MaxErrors                   string                `json:"MaxErrors,omitempty"`
	Target                      string                `json:"Target,omitempty"`
	ProgressCounters            *progressCounters     `json:"ProgressCounters,omitempty"`
	TargetLocations             []targetLocationWire  `json:"TargetLocations,omitempty"`
	TargetMaps                  []map[string][]string `json:"TargetMaps,omitempty"`
}

type automationExecutionMetadataWire struct {
	AutomationExecutionId       string                `json:"AutomationExecutionId"`
	DocumentName                string                `json:"DocumentName"`
	DocumentVersion             string                `json:"DocumentVersion"`
	AutomationExecutionStatus   string                `json:"AutomationExecutionStatus"`
	ExecutionStartTime          *protocol.EpochTime   `json:"ExecutionStartTime,omitempty"`
	ExecutionEndTime            *protocol.EpochTime   `json:"ExecutionEndTime,omitempty"`
	ExecutedBy                  string                `json:"ExecutedBy"`
	LogFile                     string                `json:"LogFile,omitempty"`
	Outputs                     map[string][]string   `json:"Outputs,omitempty"`
	Mode                        string                `json:"Mode"`
	ParentAutomationExecutionId string                `json:"ParentAutomationExecutionId,omitempty"`
	CurrentStepName             string                `json:"CurrentStepName,omitempty"`
	CurrentAction               string                `json:"CurrentAction,omitempty"`
	FailureMessage              string                `json:"FailureMessage,omitempty"`
	TargetParameterName         string                `json:"TargetParameterName,omitempty"`
	Targets                     []targetWire          `json:"Targets,omitempty"`
	ResolvedTargets             *resolvedTargets      `json:"ResolvedTargets,omitempty"`
	MaxConcurrency              string                `json:"MaxConcurrency,omitempty"`
	MaxErrors                   string                `json:"MaxErrors,omitempty"`
	Target                      string                `json:"Target,omitempty"`
	AutomationType              string                `json:"AutomationType"`
	TargetMaps                  []map[string][]string `json:"TargetMaps,omitempty"`
}

type failureDetails struct {
	FailureStage string              `json:"FailureStage,omitempty"`
	FailureType  string              `json:"FailureType,omitempty"`
	Details      map[string][]string `json:"Details,omitempty"`
}

type stepExecutionWire struct {
	StepName           string              `json:"StepName"`
	Action             string              `json:"Action"`
	TimeoutSeconds     *int64              `json:"TimeoutSeconds,omitempty"`
	OnFailure          string              `json:"OnFailure"`
	MaxAttempts        int                 `json:"MaxAttempts"`
	ExecutionStartTime *protocol.EpochTime `json:"ExecutionStartTime,omitempty"`
	ExecutionEndTime   *protocol.EpochTime `json:"ExecutionEndTime,omitempty"`
	StepStatus         string              `json:"StepStatus"`
	ResponseCode       string              `json:"ResponseCode,omitempty"`
	Inputs             map[string]string   `json:"Inputs,omitempty"`
	Outputs            map[string][]string `json:"Outputs,omitempty"`
	Response           string              `json:"Response,omitempty"`
	FailureMessage     string              `json:"FailureMessage,omitempty"`
	FailureDetails     *failureDetails     `json:"FailureDetails,omitempty"`
	StepExecutionId    string              `json:"StepExecutionId"`
	OverriddenParams   map[string][]string `json:"OverriddenParameters,omitempty"`
	IsEnd              bool                `json:"IsEnd"`
	NextStep           string              `json:"NextStep,omitempty"`
	IsCritical         bool                `json:"IsCritical"`
	ValidNextSteps     []string            `json:"ValidNextSteps,omitempty"`
	TargetLocation     *targetLocationWire `json:"TargetLocation,omitempty"`
}

type filterWire struct {
	Key    *string  `json:"Key"`
	Values []string `json:"Values"`
}

type describeAutomationExecutionsInput struct {
	Filters    []filterWire `json:"Filters"`
	MaxResults *int32       `json:"MaxResults"`
	NextToken  *string      `json:"NextToken"`
}

type describeAutomationExecutionsOutput struct {
	AutomationExecutionMetadataList []automationExecutionMetadataWire `json:"AutomationExecutionMetadataList"`
	NextToken                       string                            `json:"NextToken,omitempty"`
}

type describeAutomationStepExecutionsInput struct {
	AutomationExecutionId *string      `json:"AutomationExecutionId"`
	Filters               []filterWire `json:"Filters"`
	NextToken             *string      `json:"NextToken"`
	MaxResults            *int32       `json:"MaxResults"`
	ReverseOrder          *bool        `json:"ReverseOrder"`
}

type describeAutomationStepExecutionsOutput struct {
	StepExecutions []stepExecutionWire `json:"StepExecutions"`
	NextToken      string              `json:"NextToken,omitempty"`
}

type stopAutomationExecutionInput struct {
	AutomationExecutionId *string `json:"AutomationExecutionId"`
	Type                  *string `json:"Type"`
}

type sendAutomationSignalInput struct {
	AutomationExecutionId *string             `json:"AutomationExecutionId"`
	SignalType            *string             `json:"SignalType"`
	Payload               map[string][]string `json:"Payload"`
}

// Errors (names from the model).

func errExecutionNotFound(id string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "AutomationExecutionNotFoundException", "Automation execution %s doesn't exist.", id)
}

func errDefinitionNotFound(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "AutomationDefinitionNotFoundException", "%s", msg)
}

func errInvalidParameters(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidAutomationExecutionParametersException", "%s", msg)
}

func errInvalidSignal(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidAutomationSignalException", "%s", msg)
}

func errStepNotFound(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "AutomationStepNotFoundException", "%s", msg)
}

func errStatusUpdate(msg string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidAutomationStatusUpdateException", "%s", msg)
}
