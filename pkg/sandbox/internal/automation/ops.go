package automation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetAutomationExecution, DescribeAutomationExecutions,
// DescribeAutomationStepExecutions, StopAutomationExecution and
// SendAutomationSignal.

func validateExecutionID(v *protocol.Validator, id *string) {
	if v.Required("automationExecutionId", id != nil) {
		v.Length("automationExecutionId", *id, 36, 36)
	}
}

func (a *Area) getAutomationExecution(in *executionIDInput) (*getAutomationExecutionOutput, error) {
	var v protocol.Validator
	validateExecutionID(&v, in.AutomationExecutionId)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *getAutomationExecutionOutput
	a.view(func(st *state) {
		if e := st.byID[*in.AutomationExecutionId]; e != nil {
			out = &getAutomationExecutionOutput{AutomationExecution: e.wire()}
		}
	})
	if out == nil {
		return nil, errExecutionNotFound(*in.AutomationExecutionId)
	}
	return out, nil
}

// The filter keys of AutomationExecutionFilterKey and
// StepExecutionFilterKey (the model's enums).
var (
	executionFilterKeys = []string{"DocumentNamePrefix", "ExecutionStatus", "ExecutionId", "ParentExecutionId", "CurrentAction", "StartTimeBefore", "StartTimeAfter", "AutomationType", "TagKey", "TargetResourceGroup", "AutomationSubtype", "OpsItemId"}
	stepFilterKeys      = []string{"StartTimeBefore", "StartTimeAfter", "StepExecutionStatus", "StepExecutionId", "StepName", "Action", "ParentStepExecutionId", "ParentStepIteration", "ParentStepIteratorValue"}
)

// defaultPage is the page size without MaxResults; the model gives none
// (MaxResults 1-50), and the sandbox answers the maximum, 50.
const defaultPage = 50

func validateFilters(v *protocol.Validator, filters []filterWire, keys []string, maxFilters int) {
	if filters != nil {
		v.Count("filters", len(filters), 1, maxFilters)
	}
	for i, f := range filters {
		p := fmt.Sprintf("filters.%d.member", i+1)
		if v.Required(p+".key", f.Key != nil) {
			v.Enum(p+".key", *f.Key, keys...)
		}
		v.Count(p+".values", len(f.Values), 1, 10)
		for _, s := range f.Values {
			v.Length(p+".values.member", s, 1, 150)
		}
	}
}

// startMatches applies a StartTimeBefore or StartTimeAfter filter to a
// start time.
func startMatches(key string, values []string, start time.Time) (bool, error) {
	t, err := protocol.ParseFilterTime(values[0])
	if err != nil {
		return false, protocol.ErrInvalidFilterValue(fmt.Sprintf("The %s filter value %q is not a timestamp.", key, values[0]))
	}
	if key == "StartTimeBefore" {
		return start.Before(t), nil
	}
	return start.After(t), nil
}

var executionStatuses = []string{"Pending", "InProgress", "Waiting", "Success", "TimedOut", "Cancelling", "Cancelled", "Failed", "PendingApproval", "Approved", "Rejected", "Scheduled", "RunbookInProgress", "PendingChangeCalendarOverride", "ChangeCalendarOverrideApproved", "ChangeCalendarOverrideRejected", "CompletedWithSuccess", "CompletedWithFailure", "Exited"}

// executionMatches applies one filter; values are ORed.
func executionMatches(e *execution, key string, values []string) (bool, error) {
	switch key {
	case "DocumentNamePrefix":
		return slices.ContainsFunc(values, func(v string) bool { return strings.HasPrefix(e.DocumentName, v) }), nil
	case "ExecutionStatus":
		for _, v := range values {
			if !slices.Contains(executionStatuses, v) {
				return false, protocol.ErrInvalidFilterValue(fmt.Sprintf("The ExecutionStatus filter value %q is not a status.", v))
			}
		}
		return slices.Contains(values, e.Status), nil
	case "ExecutionId":
		return slices.Contains(values, e.ID), nil
	case "ParentExecutionId":
		return slices.Contains(values, e.ParentID), nil
	case "CurrentAction":
		return slices.Contains(values, e.CurrentAction), nil
	case "StartTimeBefore", "StartTimeAfter":
		return startMatches(key, values, e.Start)
	case "AutomationType":
		return slices.Contains(values, e.automationType()), nil
	case "TagKey":
		return slices.ContainsFunc(values, func(v string) bool { _, ok := e.Tags[v]; return ok }), nil
	}
	// TargetResourceGroup, AutomationSubtype, OpsItemId: the sandbox's
	// executions have none.
	return false, nil
}

func (a *Area) describeAutomationExecutions(in *describeAutomationExecutionsInput) (*describeAutomationExecutionsOutput, error) {
	var v protocol.Validator
	validateFilters(&v, in.Filters, executionFilterKeys, 10)
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("DescribeAutomationExecutions", in.Filters)
	var out describeAutomationExecutionsOutput
	var apiErr error
	a.view(func(st *state) {
		// Newest first.
		all := slices.Clone(st.Executions)
		slices.Reverse(all)
		var match []*execution
		if match, apiErr = filtered(all, in.Filters, executionMatches); apiErr != nil {
			return
		}
		var ok bool
		if out.AutomationExecutionMetadataList, out.NextToken, ok = protocol.PageOf(match, protocol.Deref(in.NextToken), fp, size, (*execution).metadata); !ok {
			apiErr = protocol.ErrInvalidNextToken()
		}
	})
	if apiErr != nil {
		return nil, apiErr
	}
	return &out, nil
}

func stepMatches(s *stepExec, key string, values []string) (bool, error) {
	switch key {
	case "StepExecutionStatus":
		return slices.Contains(values, s.Status), nil
	case "StepExecutionId":
		return slices.Contains(values, s.ID), nil
	case "StepName":
		return slices.Contains(values, s.Name), nil
	case "Action":
		return slices.Contains(values, s.Action), nil
	case "StartTimeBefore", "StartTimeAfter":
		return startMatches(key, values, s.Start)
	}
	// ParentStep*: the sandbox runs no aws:loop, so no step has a parent.
	return false, nil
}

func (a *Area) describeAutomationStepExecutions(in *describeAutomationStepExecutionsInput) (*describeAutomationStepExecutionsOutput, error) {
	var v protocol.Validator
	validateExecutionID(&v, in.AutomationExecutionId)
	validateFilters(&v, in.Filters, stepFilterKeys, 6)
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	if err := v.Err(); err != nil {
		return nil, err
	}
	size := defaultPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	reverse := in.ReverseOrder != nil && *in.ReverseOrder
	fp := protocol.PageFingerprint("DescribeAutomationStepExecutions", *in.AutomationExecutionId, in.Filters, reverse)
	var out describeAutomationStepExecutionsOutput
	var apiErr error
	a.view(func(st *state) {
		e := st.byID[*in.AutomationExecutionId]
		if e == nil {
			apiErr = errExecutionNotFound(*in.AutomationExecutionId)
			return
		}
		var match []*stepExec
		if match, apiErr = filtered(e.Steps, in.Filters, stepMatches); apiErr != nil {
			return
		}
		if reverse {
			slices.Reverse(match)
		}
		var ok bool
		if out.StepExecutions, out.NextToken, ok = protocol.PageOf(match, protocol.Deref(in.NextToken), fp, size, (*stepExec).wire); !ok {
			apiErr = protocol.ErrInvalidNextToken()
		}
	})
	if apiErr != nil {
		return nil, apiErr
	}
	return &out, nil
}

// filtered keeps the items every filter matches (a filter's values are
// ORed by match).
func filtered[T any](items []T, filters []filterWire, match func(T, string, []string) (bool, error)) ([]T, error) {
	var out []T
	for _, it := range items {
		ok := true
		for _, f := range filters {
			m, err := match(it, *f.Key, f.Values)
			if err != nil {
				return nil, err
			}
			ok = ok && m
		}
		if ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// stopAutomationExecution: Cancel cancels the running step and ends the
// execution Cancelled (after its onCancel step); Complete stops it
// without running more steps and ends it Success. Children of a
// rate-controlled or aws:executeAutomation parent are stopped with it.
func (a *Area) stopAutomationExecution(in *stopAutomationExecutionInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateExecutionID(&v, in.AutomationExecutionId)
	if in.Type != nil {
		v.Enum("type", *in.Type, "Complete", "Cancel")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	typ := "Cancel"
	if in.Type != nil {
		typ = *in.Type
	}
	var children []string
	err := a.mutate(func(st *state) error {
		e := st.byID[*in.AutomationExecutionId]
		if e == nil {
			return errExecutionNotFound(*in.AutomationExecutionId)
		}
		if terminal(e.Status) {
			return errStatusUpdate(fmt.Sprintf("Automation execution %s is %s: it can't be stopped.", e.ID, e.Status))
		}
		if e.StopType == "" {
			e.StopType = typ
			if typ == "Cancel" {
				e.Status = "Cancelling"
			}
			if e.cancel != nil {
				e.cancel()
			}
		}
		for _, c := range st.Executions {
			if c.ParentID == e.ID && !terminal(c.Status) {
				children = append(children, c.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range children {
		a.stopChild(id)
	}
	return &protocol.Empty{}, nil
}

// sendAutomationSignal queues a signal for the engine, after checking it
// can act on it now: Approve and Reject for a step waiting for approval,
// from one of its approvers; Resume for a paused step; StartStep in
// Interactive mode; StopStep for a running step. Revoke is for change
// requests, which the sandbox does not have.
func (a *Area) sendAutomationSignal(in *sendAutomationSignalInput) (*protocol.Empty, error) {
	var v protocol.Validator
	validateExecutionID(&v, in.AutomationExecutionId)
	if v.Required("signalType", in.SignalType != nil) {
		v.Enum("signalType", *in.SignalType, "Approve", "Reject", "StartStep", "StopStep", "Resume", "Revoke")
	}
	validateParamMap(&v, "payload", in.Payload)
	if err := v.Err(); err != nil {
		return nil, err
	}
	caller := a.h.CallerARN()
	typ := *in.SignalType
	var stopStep bool
	err := a.mutate(func(st *state) error {
		e := st.byID[*in.AutomationExecutionId]
		if e == nil {
			return errExecutionNotFound(*in.AutomationExecutionId)
		}
		if terminal(e.Status) || e.Status == "Cancelling" {
			return errInvalidSignal(fmt.Sprintf("Automation execution %s is %s: it takes no signals.", e.ID, e.Status))
		}
		var cur *stepExec
		if len(e.Steps) > 0 {
			cur = e.Steps[len(e.Steps)-1]
		}
		switch typ {
		case "Approve", "Reject":
			if cur == nil || cur.Action != "aws:approve" || terminal(cur.Status) {
				return errInvalidSignal(fmt.Sprintf("Automation execution %s has no step waiting for approval.", e.ID))
			}
			if st := e.content.Step(cur.Name); st != nil {
				approvers := stringList(unquote(cur.Inputs["Approvers"]))
				if !isApprover(approvers, caller) {
					return errInvalidSignal(fmt.Sprintf("%s is not an approver of step %s.", caller, cur.Name))
				}
			}
		case "Resume":
			if cur == nil || cur.Action != "aws:pause" || terminal(cur.Status) {
				return errInvalidSignal(fmt.Sprintf("Automation execution %s has no paused step to resume.", e.ID))
			}
		case "StartStep":
			name := first(in.Payload["StepName"])
			if name == "" {
				return errInvalidSignal("StartStep needs the step's name in the payload: StepName=NAME.")
			}
			if e.content.Step(name) == nil {
				return errStepNotFound(fmt.Sprintf("Step %s doesn't exist in automation execution %s.", name, e.ID))
			}
			if e.Mode != "Interactive" || e.Status != "Waiting" {
				return errInvalidSignal(fmt.Sprintf("StartStep is for an Interactive execution waiting for its next step; %s is %s.", e.ID, e.Status))
			}
		case "StopStep":
			sid := first(in.Payload["StepExecutionId"])
			if sid == "" {
				return errInvalidSignal("StopStep needs the step execution's ID in the payload: StepExecutionId=ID.")
			}
			if cur == nil || cur.ID != sid {
				return errStepNotFound(fmt.Sprintf("Step execution %s is not running in automation execution %s.", sid, e.ID))
			}
			stopStep = true
		case "Revoke":
			return errInvalidSignal("Revoke is for change requests, which the sandbox does not run.")
		}
		e.signals = append(e.signals, signal{Type: typ, Payload: in.Payload, Caller: caller})
		select {
		case e.wake <- struct{}{}:
		default:
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if stopStep {
		// StopStep ends the running step as a cancel of the execution
		// would, then the execution ends Cancelled.
		t := "Cancel"
		a.stopAutomationExecution(&stopAutomationExecutionInput{AutomationExecutionId: in.AutomationExecutionId, Type: &t})
	}
	return &protocol.Empty{}, nil
}

// unquote decodes a step input as recorded (JSON).
func unquote(s string) any {
	var v any
	if err := jsonUnmarshal(s, &v); err != nil {
		return s
	}
	return v
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
