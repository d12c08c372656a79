package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
)

// Running a document's steps: the runner, preconditions and plugin statuses.

// runner runs one invocation's steps on a node.
type runner struct {
	a    *fleetAgent
	c    *command
	inv  *invocation
	node nodeView
	ctx  context.Context
}

// stepResult is one step's outcome.
type stepResult struct {
	status         string
	code           int
	stdout, stderr string
	message        string // skip or failure message instead of output
	exitDocument   bool   // exit code 168 or 169: skip the following steps
}

// runSteps runs steps in order. At the top level each step reports into
// its pluginRun (plugins); nested documents (aws:runDocument) pass nil and
// get their results back. It returns each step's status.
func (r *runner) runSteps(steps []documents.Step, plugins []*pluginRun, depth int) []string {
	return r.runStepsInto(steps, plugins, depth, nil)
}

func (r *runner) runStepsInto(steps []documents.Step, plugins []*pluginRun, depth int, sink *[]stepResult) []string {
	s := r.a.area
	var statuses []string
	exitDocument := false
	for i, step := range steps {
		var p *pluginRun
		if plugins != nil {
			p = plugins[i]
		}
		if p != nil {
			s.update(func() {
				p.Start = time.Now()
				p.Status, p.StatusDetails = "InProgress", "InProgress"
			})
		}
		var res stepResult
		switch {
		case exitDocument:
			res = stepResult{status: "Skipped", message: fmt.Sprintf("Plugin with name %s and id %s skipped due to prior step with an exit condition", step.Action, step.Name)}
		case r.ctx.Err() != nil:
			// The agent marks the steps it has not started as cancelled
			// (iohandler.MarkAsCancelled: exit code 1).
			res = stepResult{status: "Cancelled", code: 1}
		default:
			res = r.runStep(step, p, depth)
		}
		exitDocument = exitDocument || res.exitDocument
		st := res.status
		if st == "Skipped" {
			st = "Success"
		}
		statuses = append(statuses, st)
		if sink != nil {
			*sink = append(*sink, res)
		}
		if p != nil {
			s.update(func() {
				p.End = time.Now()
				p.Status, p.StatusDetails = res.pluginStatus()
				p.ResponseCode = res.code
				p.Stdout, p.Stderr, p.Message = res.stdout, res.stderr, res.message
			})
		}
	}
	return statuses
}

// pluginStatus maps the agent's result onto CommandPluginStatus and its
// details; a skipped step is reported as a success whose details say so.
func (res stepResult) pluginStatus() (string, string) {
	switch res.status {
	case "Skipped":
		return "Success", "Skipped"
	case "TimedOut":
		return "TimedOut", "ExecutionTimedOut"
	}
	return res.status, res.status
}

// pluginSupported says whether the agent on a platform runs a plugin
// (aws:runShellScript is not built for Windows).
func pluginSupported(action, platform string) bool {
	return action != "aws:runShellScript" || platform != "Windows"
}

// preconditionHolds evaluates a 2.2 step's precondition; the agent supports
// StringEquals on platformType only.
func (r *runner) preconditionHolds(pre map[string]any) (bool, string) {
	for op, args := range pre {
		list, _ := args.([]any)
		if op != "StringEquals" || len(list) != 2 {
			return false, fmt.Sprintf("%s: %v", op, args)
		}
		a, _ := list[0].(string)
		b, _ := list[1].(string)
		if a != "platformType" && b != "platformType" {
			return false, fmt.Sprintf("%s: %v", op, args)
		}
		want := b
		if b == "platformType" {
			want = a
		}
		if !strings.EqualFold(want, r.node.platform) {
			return false, fmt.Sprintf("%s: [platformType, %s]", op, want)
		}
	}
	return true, ""
}

func (r *runner) runStep(step documents.Step, p *pluginRun, depth int) stepResult {
	if step.Precondition != nil {
		if ok, desc := r.preconditionHolds(step.Precondition); !ok {
			return stepResult{status: "Skipped", message: fmt.Sprintf("Step execution skipped due to unsatisfied preconditions: '%s'. Step name: %s", desc, step.Name)}
		}
	}
	if !pluginSupported(step.Action, r.node.platform) {
		if r.c.isLegacy() {
			return stepResult{status: "Failed", code: 1, message: fmt.Sprintf("Plugin with name %s is not supported in current platform. Step name: %s", step.Action, step.Name)}
		}
		return stepResult{status: "Skipped", message: fmt.Sprintf("Step execution skipped due to unsupported plugin: %s. Step name: %s", step.Action, step.Name)}
	}
	switch step.Action {
	case "aws:runShellScript", "aws:runPowerShellScript":
		return r.runScriptStep(step, p)
	case "aws:runDocument":
		return r.runDocumentStep(step, depth)
	}
	if fn := r.a.area.hooks[step.Action]; fn != nil {
		return r.runHookStep(step, fn)
	}
	return stepResult{status: "Failed", code: 1, message: fmt.Sprintf("Plugin %s is not emulated by the sandbox. Step name: %s", step.Action, step.Name)}
}

// runCommandLines flattens runCommand (a string or a list, nested lists
// included) into script lines (pluginutil.ParseRunCommand).
func runCommandLines(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = runCommandLines(e, out)
		}
	}
	return out
}
