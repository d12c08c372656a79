package automation

import (
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
)

// Interactive mode and rate control.

// runInteractive runs the steps SendAutomationSignal StartStep names, one
// at a time; between them the execution is Waiting. It ends after the
// runbook's last step (or a step with isEnd) succeeds, or when stopped.
func (a *Area) runInteractive(e *execution) {
	steps := e.content.Steps
	for {
		a.update(func(*state) { e.Status, e.CurrentStep, e.CurrentAction = "Waiting", "", "" })
		sig, err := a.waitSignal(e.ctx, e, func(s signal) bool { return s.Type == "StartStep" })
		if err != nil {
			break
		}
		name := first(sig.Payload["StepName"])
		st := e.content.Step(name)
		if st == nil {
			continue
		}
		a.update(func(*state) { e.Status = "InProgress" })
		status := a.runStep(e, st)
		if e.ctx.Err() != nil {
			break
		}
		if status == "Success" && (st.IsEnd || name == steps[len(steps)-1].Name) {
			a.finish(e, "Success", "")
			return
		}
	}
	if a.stopType(e) == "Complete" {
		a.finish(e, "Success", "")
		return
	}
	a.finish(e, "Cancelled", "")
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// pollInterval is how often rate control and aws:executeAutomation look
// at their children, and aws:runCommand at its command.
const pollInterval = 20 * time.Millisecond

// runRateControlled runs one child execution per resolved target, the
// target in TargetParameterName, at most MaxConcurrency at a time; once
// more than MaxErrors children failed, no more start ("Run automated
// operations at scale": the automation stops on additional targets). The
// parent lists one aws:executeAutomation step per child, named after its
// target.
func (a *Area) runRateControlled(e *execution) {
	a.update(func(*state) { e.Status = "InProgress" })
	n := len(e.ResolvedTargets)
	concurrency := commands.ResolveRate(e.MaxConcurrency, n, true)
	errLimit := commands.ResolveRate(e.MaxErrors, n, false)
	type child struct {
		id   string
		step *stepExec
	}
	var running []child
	next, errs := 0, 0
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		// Reap the children that ended.
		kept := running[:0]
		for _, c := range running {
			status := a.statusOf(c.id)
			if !terminal(status) {
				kept = append(kept, c)
				continue
			}
			if status != "Success" {
				errs++
			}
			a.mutate(func(*state) error {
				c.step.Status, c.step.End = status, a.h.Clock()
				if status != "Success" {
					c.step.FailureMessage = "The child automation execution ended " + status + "."
				}
				return nil
			})
		}
		running = kept
		stopping := e.ctx.Err() != nil || errs > errLimit
		for !stopping && next < n && len(running) < concurrency {
			target := e.ResolvedTargets[next]
			next++
			params := map[string][]string{}
			for k, v := range e.Parameters {
				params[k] = v
			}
			params[e.TargetParameterName] = []string{target}
			mode := e.Mode
			in := &startAutomationExecutionInput{DocumentName: &e.DocumentName, DocumentVersion: &e.DocumentVersion, Parameters: params, Mode: &mode}
			se := &stepExec{ID: newID(), Name: target, Action: "aws:executeAutomation", OnFailure: "Abort", MaxAttempts: 1, IsCritical: true, Status: "InProgress", Start: a.h.Clock()}
			id, err := a.start(startRequest{in: in, parentID: e.ID, target: target})
			if err != nil {
				se.Status, se.End, se.FailureMessage = "Failed", a.h.Clock(), err.Error()
				errs++
			} else {
				se.Outputs = map[string][]string{"ExecutionId": {id}}
				running = append(running, child{id: id, step: se})
			}
			a.update(func(*state) {
				e.Steps = append(e.Steps, se)
				e.CurrentStep, e.CurrentAction = se.Name, se.Action
			})
			stopping = errs > errLimit
		}
		if e.ctx.Err() != nil {
			for _, c := range running {
				a.stopChild(c.id)
			}
		}
		if len(running) == 0 && (stopping || next >= n) {
			break
		}
		select {
		case <-ticker.C:
		case <-a.ctx.Done():
			return
		}
	}
	switch {
	case e.ctx.Err() != nil && a.stopType(e) == "Complete":
		a.finish(e, "Success", "")
	case e.ctx.Err() != nil:
		a.finish(e, "Cancelled", "")
	case errs > errLimit:
		a.finish(e, "Failed", "The number of failed child executions exceeded MaxErrors "+e.MaxErrors+".")
	default:
		a.finish(e, "Success", "")
	}
}

// statusOf is an execution's status ("" when unknown).
func (a *Area) statusOf(id string) string {
	var s string
	a.view(func(st *state) {
		if e := st.byID[id]; e != nil {
			s = e.Status
		}
	})
	return s
}

// stopChild cancels a child execution.
func (a *Area) stopChild(id string) {
	t := "Cancel"
	a.stopAutomationExecution(&stopAutomationExecutionInput{AutomationExecutionId: &id, Type: &t})
}
