package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// The engine: one goroutine per execution runs its steps in order, with
// the step properties AWS defines ("Runbook properties" in the Automation
// actions reference): maxAttempts, timeoutSeconds, onFailure (Abort,
// Continue, step:NAME), onCancel, isEnd, nextStep and isCritical.

// stepFailure is a step that failed: its message and FailureType.
type stepFailure struct {
	msg, typ string
}

func (f *stepFailure) Error() string { return f.msg }

func fail(typ, format string, args ...any) error {
	return &stepFailure{msg: fmt.Sprintf(format, args...), typ: typ}
}

// errTimedOut ends a step at its timeoutSeconds.
var errTimedOut = errors.New("step timed out")

// run runs an execution to its end.
func (a *Area) run(e *execution) {
	defer a.wg.Done()
	defer e.cancel()
	if len(e.Locations) > 0 {
		a.runLocations(e)
		return
	}
	if e.rateControlled() {
		a.runRateControlled(e)
		return
	}
	a.update(func(*state) { e.Status = "InProgress" })
	if e.Mode == "Interactive" {
		a.runInteractive(e)
		return
	}
	steps := e.content.Steps
	critical := false
	cancelled := false
	i := 0
	for i < len(steps) {
		st := &steps[i]
		status := a.runStep(e, st)
		next := i + 1
		if status == "Cancelled" {
			cancelled = true
			if name, ok := strings.CutPrefix(st.OnCancel, "step:"); ok && a.ctx.Err() == nil {
				a.runCancelStep(e, name)
			}
			break
		}
		if status != "Success" {
			if st.IsCritical {
				critical = true
			}
			switch {
			case st.OnFailure == "Continue":
			case strings.HasPrefix(st.OnFailure, "step:"):
				next = stepIndex(e.content, strings.TrimPrefix(st.OnFailure, "step:"))
			default: // Abort
				a.finish(e, status, failureOf(e, st.Name))
				return
			}
		} else {
			// An aws:branch goes to the choice that holds (or Default)
			// even with isEnd; isEnd ends it when none does ("If none of
			// the Choices are true and no Default value is specified,
			// then the automation stops at the end of the step").
			target := a.branchTarget(e, st)
			if st.IsEnd && target == "" {
				break
			}
			if target != "" {
				next = stepIndex(e.content, target)
			} else if st.NextStep != "" {
				next = stepIndex(e.content, st.NextStep)
			}
		}
		if e.ctx.Err() != nil {
			cancelled = true
			break
		}
		i = next
	}
	if a.ctx.Err() != nil {
		// The sandbox is closing: the execution stays unfinished in the
		// state file, and a restart ends it Failed (restore).
		return
	}
	switch {
	case cancelled && a.stopType(e) == "Complete":
		a.finish(e, "Success", "")
	case cancelled:
		a.finish(e, "Cancelled", "")
	case critical:
		a.finish(e, "Failed", "A critical step failed: see the steps' failure messages.")
	default:
		a.finish(e, "Success", "")
	}
}

// index is a step's position (its name exists: the parser checked).
func stepIndex(c *documents.AutomationContent, name string) int {
	for i, s := range c.Steps {
		if s.Name == name {
			return i
		}
	}
	return len(c.Steps)
}

func (a *Area) stopType(e *execution) string {
	var t string
	a.view(func(*state) { t = e.StopType })
	return t
}

func failureOf(e *execution, step string) string {
	if s := e.step(step); s != nil && s.FailureMessage != "" {
		return fmt.Sprintf("Step fails when it is %s. %s", s.Action, s.FailureMessage)
	}
	return ""
}

// runCancelStep runs the onCancel step of a cancelled execution, outside
// the cancelled context.
func (a *Area) runCancelStep(e *execution, name string) {
	st := e.content.Step(name)
	if st == nil {
		return
	}
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	saved := e.ctx
	e.ctx = ctx
	a.runStep(e, st)
	e.ctx = saved
}

// finish ends an execution: its status, end time, outputs; it is saved.
func (a *Area) finish(e *execution, status, msg string) {
	outputs := a.documentOutputs(e)
	a.mutate(func(*state) error {
		e.Status, e.End, e.FailureMessage = status, a.h.Clock(), msg
		e.CurrentStep, e.CurrentAction = "", ""
		if len(outputs) > 0 {
			e.Outputs = outputs
		}
		return nil
	})
}

// documentOutputs are the runbook's outputs ("step.Output"), from the
// steps that produced them.
func (a *Area) documentOutputs(e *execution) map[string][]string {
	out := map[string][]string{}
	a.view(func(*state) {
		for _, o := range e.content.Outputs {
			step, name, _ := strings.Cut(o, ".")
			if s := e.step(step); s != nil {
				if v, ok := s.Outputs[name]; ok {
					out[o] = v
					continue
				}
			}
			out[o] = []string{"No output available yet because the step is not successfully executed"}
		}
	})
	return out
}

// runStep runs one step with its attempts and timeout and records it; it
// returns the step's final status.
func (a *Area) runStep(e *execution, st *documents.AutomationStep) string {
	se := &stepExec{
		ID: newID(), Name: st.Name, Action: st.Action, OnFailure: st.OnFailure, MaxAttempts: st.MaxAttempts,
		TimeoutSeconds: int64(st.TimeoutSeconds), IsEnd: st.IsEnd, NextStep: st.NextStep, IsCritical: st.IsCritical,
		Status: "InProgress",
	}
	vars := a.variables(e)
	inputs, _ := documents.Substitute(st.Inputs, vars).(map[string]any)
	se.Inputs = map[string]string{}
	for k, v := range inputs {
		b, _ := json.Marshal(v)
		se.Inputs[k] = string(b)
	}
	a.update(func(*state) {
		se.Start = a.h.Clock()
		e.Steps = append(e.Steps, se)
		e.CurrentStep, e.CurrentAction = st.Name, st.Action
	})
	var outputs map[string]any
	var err error
	for attempt := 1; attempt <= st.MaxAttempts; attempt++ {
		a.update(func(*state) { se.Attempts = attempt })
		outputs, err = a.attempt(e, se, st, inputs)
		if err == nil || e.ctx.Err() != nil {
			break
		}
	}
	status, msg, typ := "Success", "", ""
	switch {
	case e.ctx.Err() != nil:
		status, msg = "Cancelled", "Step cancelled."
	case errors.Is(err, errTimedOut):
		status, msg, typ = "TimedOut", fmt.Sprintf("Step timed out after %d seconds.", st.TimeoutSeconds), "Timeout"
	case err != nil:
		status, msg = "Failed", err.Error()
		var sf *stepFailure
		if errors.As(err, &sf) {
			typ = sf.typ
		}
	}
	if a.ctx.Err() != nil {
		return "Cancelled" // the sandbox is closing: left unfinished (see run)
	}
	declared := selectOutputs(st, outputs)
	a.mutate(func(*state) error {
		se.Status, se.End, se.FailureMessage, se.FailureType = status, a.h.Clock(), msg, typ
		if len(outputs)+len(declared) > 0 {
			se.Outputs = map[string][]string{}
			for k, v := range outputs {
				se.Outputs[k] = strings_(v)
			}
			for k, v := range declared {
				se.Outputs[k] = strings_(v)
			}
		}
		return nil
	})
	return status
}

// attempt runs the action once, under the step's timeout.
func (a *Area) attempt(e *execution, se *stepExec, st *documents.AutomationStep, inputs map[string]any) (map[string]any, error) {
	ctx, cancel := e.ctx, context.CancelFunc(func() {})
	timeout := st.TimeoutSeconds
	if st.Action == "aws:approve" && timeout == 0 {
		timeout = approveDefaultTimeout
	}
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(e.ctx, a.scaled(time.Duration(timeout)*time.Second))
	}
	defer cancel()
	out, err := a.act(ctx, e, se, st, inputs)
	if e.ctx.Err() == nil && ctx.Err() != nil {
		return out, errTimedOut
	}
	return out, err
}

// variables are what {{ }} can name in a step's inputs: the parameters,
// the earlier steps' outputs (step.Output) and the automation variables.
func (a *Area) variables(e *execution) map[string]any {
	vars := map[string]any{}
	for k, v := range e.params {
		vars[k] = v
	}
	a.view(func(*state) {
		for _, s := range e.Steps {
			for k, v := range s.Outputs {
				name := k
				if !strings.Contains(k, ".") {
					name = s.Name + "." + k
				}
				if len(v) == 1 {
					vars[name] = v[0]
				} else {
					l := make([]any, len(v))
					for i, x := range v {
						l[i] = x
					}
					vars[name] = l
				}
			}
		}
	})
	vars["automation:EXECUTION_ID"] = e.ID
	vars["automation:DOCUMENT_EXECUTION_ID"] = e.ID
	vars["global:ACCOUNT_ID"] = a.h.AccountID
	vars["global:REGION"] = a.h.Region
	vars["global:AWS_PARTITION"] = "aws"
	vars["global:DATE"] = a.h.Clock().UTC().Format("2006-01-02")
	vars["global:DATE_TIME"] = a.h.Clock().UTC().Format("01-02-2006_15.04.05")
	return vars
}

// waitSignal waits for a signal the match function accepts, or ctx's end.
// It returns the signal.
func (a *Area) waitSignal(ctx context.Context, e *execution, match func(signal) bool) (signal, error) {
	for {
		var got *signal
		a.update(func(*state) {
			for i, s := range e.signals {
				if match(s) {
					s := s
					got = &s
					e.signals = append(e.signals[:i:i], e.signals[i+1:]...)
					return
				}
			}
		})
		if got != nil {
			return *got, nil
		}
		select {
		case <-ctx.Done():
			return signal{}, ctx.Err()
		case <-e.wake:
		}
	}
}

func (a *Area) setStatus(e *execution, se *stepExec, execStatus, stepStatus string) {
	a.update(func(*state) {
		e.Status = execStatus
		se.Status = stepStatus
	})
}
