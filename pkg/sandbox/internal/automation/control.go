package automation

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
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
	switch {
	case a.ctx.Err() != nil:
		// The sandbox is closing: see run.
	case a.stopType(e) == "Complete":
		a.finish(e, "Success", "")
	default:
		a.finish(e, "Cancelled", "")
	}
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
// target in TargetParameterName, or per TargetMap, the map's parameters
// over the parent's, at most MaxConcurrency at a time; once more than
// MaxErrors children failed, no more start ("Run automated operations at
// scale": the automation stops on additional targets). The parent lists
// one aws:executeAutomation step per child, named after its target (for
// a map: its TargetParameterName value, else the map as k=v,k2=v2).
func (a *Area) runRateControlled(e *execution) {
	var jobs []childJob
	for _, m := range e.TargetMaps {
		params := overlay(e.Parameters, m)
		job := childJob{name: mapName(m), params: params}
		if e.TargetParameterName != "" {
			job.target = strings.Join(params[e.TargetParameterName], ",")
			job.name = job.target
		}
		jobs = append(jobs, job)
	}
	for _, target := range e.ResolvedTargets {
		if len(e.TargetMaps) > 0 {
			break // the maps' values, listed as ResolvedTargets
		}
		params := map[string][]string{}
		for k, v := range e.Parameters {
			params[k] = v
		}
		params[e.TargetParameterName] = []string{target}
		jobs = append(jobs, childJob{name: target, target: target, params: params})
	}
	a.update(func(*state) { e.Status = "InProgress" })
	errs, limit, stopped := a.fanOut(e, jobs, e.MaxConcurrency, e.MaxErrors)
	a.endFanOut(e, stopped, errs > limit, "The number of failed child executions exceeded MaxErrors "+e.MaxErrors+".")
}

// mapName is a TargetMap as k=v,k2=v2 (keys sorted, list values joined
// by ";").
func mapName(m map[string][]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strings.Join(m[k], ";"))
	}
	return strings.Join(parts, ",")
}

// childJob is one child execution a parent starts.
type childJob struct {
	name     string // the parent's step name for it
	target   string // rate control: the target value
	params   map[string][]string
	location *location // TargetLocations: where it runs
	// child's own rate control (a location's Targets)
	targetParam string
	targets     []targetWire
	maxConc     string
	maxErrs     string
}

// fanOut starts the jobs as child executions, at most concurrency
// ("N" or "N%" of the jobs) at a time, and no more once the failed ones
// exceed maxErrors; it waits for those started. It returns the errors,
// the resolved error limit, and whether the parent was stopped.
func (a *Area) fanOut(e *execution, jobs []childJob, concurrency, maxErrors string) (errs, limit int, stopped bool) {
	n := len(jobs)
	conc := commands.ResolveRate(concurrency, n, true)
	limit = commands.ResolveRate(maxErrors, n, false)
	type child struct {
		id   string
		step *stepExec
		in   *Area // where it runs: a, or a TargetLocation's
	}
	var running []child
	next := 0
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		// Reap the children that ended.
		kept := running[:0]
		for _, c := range running {
			status := c.in.statusOf(c.id)
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
		stopping := e.ctx.Err() != nil || errs > limit
		for !stopping && next < n && len(running) < conc {
			job := jobs[next]
			next++
			mode := e.Mode
			in := &startAutomationExecutionInput{DocumentName: &e.DocumentName, DocumentVersion: &e.DocumentVersion, Parameters: job.params, Mode: &mode}
			if job.targetParam != "" {
				in.TargetParameterName, in.Targets = &job.targetParam, job.targets
				in.MaxConcurrency, in.MaxErrors = optional(job.maxConc), optional(job.maxErrs)
			}
			se := &stepExec{ID: newID(), Name: job.name, Action: "aws:executeAutomation", OnFailure: "Abort", MaxAttempts: 1, IsCritical: true, Status: "InProgress", Start: a.h.Clock(), Location: job.location}
			in2, id, err := a.startChild(e, job, in)
			if err != nil {
				se.Status, se.End, se.FailureMessage = "Failed", a.h.Clock(), errorMessage(err)
				errs++
			} else {
				se.Outputs = map[string][]string{"ExecutionId": {id}}
				running = append(running, child{id: id, step: se, in: in2})
			}
			a.update(func(*state) {
				e.Steps = append(e.Steps, se)
				e.CurrentStep, e.CurrentAction = se.Name, se.Action
			})
			stopping = errs > limit
		}
		if e.ctx.Err() != nil {
			for _, c := range running {
				c.in.stopChild(c.id)
			}
		}
		if len(running) == 0 && (stopping || next >= n) {
			return errs, limit, e.ctx.Err() != nil
		}
		select {
		case <-ticker.C:
		case <-a.ctx.Done():
			return errs, limit, true
		}
	}
}

// startChild starts a job's child execution: here, or for a
// TargetLocation in that account and Region's Automation, having assumed
// the location's execution role there. A location the sandbox does not
// serve has no role to assume: the child fails to start with the message
// AWS gives for a role that cannot be assumed (docs/sandbox-automation.md).
func (a *Area) startChild(e *execution, job childJob, in *startAutomationExecutionInput) (*Area, string, error) {
	where := a
	r := startRequest{in: in, parentID: e.ID, target: job.target, location: job.location}
	if l := job.location; l != nil {
		role := l.Role
		if role == "" {
			role = DefaultExecutionRole
		}
		if strings.HasPrefix(l.Account, "ou-") {
			return nil, "", protocol.ErrValidation(fmt.Sprintf("The sandbox has no AWS Organizations: organizational unit %s cannot be expanded into accounts; name the accounts.", l.Account))
		}
		if where = a.peer(l.Account, l.Region); where == nil {
			return nil, "", protocol.ErrValidation(fmt.Sprintf("The provided role: arn:%s:iam::%s:role/%s can't be assumed.", area.Partition(l.Region), l.Account, role))
		}
		r.executedBy = "arn:" + area.Partition(l.Region) + ":sts::" + l.Account + ":assumed-role/" + role + "/" + e.ID
	}
	id, err := where.start(r)
	return where, id, err
}

// errorMessage is an error's message, without an API error's type.
func errorMessage(err error) string {
	var aerr *protocol.APIError
	if errors.As(err, &aerr) {
		return aerr.Message
	}
	return err.Error()
}

// DefaultExecutionRole is the role a TargetLocation without
// ExecutionRoleName assumes (the model's TargetLocation documentation).
const DefaultExecutionRole = "AWS-SystemsManager-AutomationExecutionRole"

// endFanOut ends a parent: Cancelled (or Success for Complete) when
// stopped, Failed with msg when its children failed beyond its limit,
// else Success.
func (a *Area) endFanOut(e *execution, stopped, failed bool, msg string) {
	if a.ctx.Err() != nil {
		return // the sandbox is closing
	}
	switch {
	case stopped && a.stopType(e) == "Complete":
		a.finish(e, "Success", "")
	case stopped:
		a.finish(e, "Cancelled", "")
	case failed:
		a.finish(e, "Failed", msg)
	default:
		a.finish(e, "Success", "")
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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

// Location rate control defaults: the model's TargetLocation
// documentation gives TargetLocationMaxConcurrency 1 and
// TargetLocationMaxErrors 0.
const (
	defaultLocationConcurrency = "1"
	defaultLocationErrors      = "0"
)

// runLocations runs a multi-account and multi-Region execution: one child
// per account (or OU) and Region of each TargetLocation, in order, each
// location group at most TargetLocationMaxConcurrency at a time and no
// more once more than TargetLocationMaxErrors failed. A child with
// Targets (the location's, else the parent's) does its own rate control
// in its location. Each child runs in its location's Automation, on that
// location's fleet (startChild; docs/sandbox-automation.md).
func (a *Area) runLocations(e *execution) {
	a.update(func(*state) { e.Status = "InProgress" })
	var errs, limit int
	stopped := false
	for _, l := range e.Locations {
		var jobs []childJob
		for _, acct := range l.Accounts {
			for _, region := range l.Regions {
				loc := &location{Account: acct, Region: region, Role: protocol.Deref(l.ExecutionRoleName)}
				job := childJob{name: acct + "/" + region, params: e.Parameters, location: loc}
				if e.TargetParameterName != "" {
					job.targetParam, job.targets = e.TargetParameterName, e.Targets
					job.maxConc, job.maxErrs = e.MaxConcurrency, e.MaxErrors
					if len(l.Targets) > 0 {
						job.targets = l.Targets
						job.maxConc, job.maxErrs = protocol.Deref(l.TargetsMaxConcurrency), protocol.Deref(l.TargetsMaxErrors)
					}
				}
				jobs = append(jobs, job)
			}
		}
		conc, maxErrs := defaultLocationConcurrency, defaultLocationErrors
		if l.TargetLocationMaxConcurrency != nil {
			conc = *l.TargetLocationMaxConcurrency
		}
		if l.TargetLocationMaxErrors != nil {
			maxErrs = *l.TargetLocationMaxErrors
		}
		errs, limit, stopped = a.fanOut(e, jobs, conc, maxErrs)
		if stopped || errs > limit {
			break
		}
	}
	a.endFanOut(e, stopped, errs > limit, "The number of failed locations exceeded TargetLocationMaxErrors.")
}
