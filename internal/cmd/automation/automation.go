// Package automation is `ssmctl automation`: start a runbook and follow it
// step by step, list, show, wait for, stop, approve, reject and signal
// executions, and the Automation runbooks (automation doc).
package automation

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// NewCmdAutomation is `ssmctl automation`; docCmd, if given, is its
// `automation doc` (the doc group's commands for Automation documents).
func NewCmdAutomation(f *cmdutil.Factory, docCmd *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "automation",
		Aliases: []string{"auto"},
		Short:   "Run Automation runbooks and follow them step by step",
		Long: `Start Systems Manager Automation runbooks and watch each step start and end,
approve or reject steps waiting for approval, and list, show, wait for and
stop executions. 'ssmctl automation start' exits 0 when the execution ends
Success, 1 when it ends Failed or Cancelled, 124 when it ends TimedOut, and
130 after Ctrl-C, which cancels the execution.`,
		Example: `  # Restart one instance and follow the steps
  ssmctl automation start AWS-RestartEC2Instance --param InstanceId=i-0123456789abcdef0

  # A runbook that waits for a colleague's approval
  ssmctl automation start AWS-StopEC2InstanceWithApproval --param InstanceId=i-0123456789abcdef0 \
      --param Approvers=alice --param SNSTopicArn=arn:aws:sns:us-east-1:111122223333:Automation-approvals
  ssmctl automation approve 4d1e3c2b-1234-4d5e-9f00-123456789abc --comment "go ahead"

  # One child execution per production web node, 10% at a time
  ssmctl automation start MyRemediation tag:Env=prod tag:Role=web --target-param InstanceId --max-concurrency 10%`,
	}
	cmd.AddCommand(NewCmdStart(f, nil), NewCmdLs(f, nil), NewCmdShow(f, nil), NewCmdWait(f, nil), NewCmdStop(f, nil),
		NewCmdApprove(f, nil, "Approve"), NewCmdApprove(f, nil, "Reject"), NewCmdSignal(f, nil))
	if docCmd != nil {
		cmd.AddCommand(docCmd)
	}
	return cmd
}

// executionView is an execution as ls, show, wait and start -o json print
// it. The JSON names are a stable contract (docs/automation.md).
type executionView struct {
	ExecutionID     string              `json:"executionId"`
	Document        string              `json:"document"`
	DocumentVersion string              `json:"documentVersion,omitempty"`
	Status          string              `json:"status"`
	Mode            string              `json:"mode,omitempty"`
	Start           *output.Time        `json:"start,omitempty"`
	End             *output.Time        `json:"end,omitempty"`
	ExecutedBy      string              `json:"executedBy,omitempty"`
	Parent          string              `json:"parentExecutionId,omitempty"`
	Target          string              `json:"target,omitempty"`
	TargetParameter string              `json:"targetParameter,omitempty"`
	ResolvedTargets []string            `json:"resolvedTargets,omitempty"`
	MaxConcurrency  string              `json:"maxConcurrency,omitempty"`
	MaxErrors       string              `json:"maxErrors,omitempty"`
	CurrentStep     string              `json:"currentStep,omitempty"`
	CurrentAction   string              `json:"currentAction,omitempty"`
	FailureMessage  string              `json:"failureMessage,omitempty"`
	Parameters      map[string][]string `json:"parameters,omitempty"`
	Outputs         map[string][]string `json:"outputs,omitempty"`
	Locations       []string            `json:"locations,omitempty"`
	Steps           []stepView          `json:"steps,omitempty"`
	Children        []executionView     `json:"children,omitempty"`
}

type stepView struct {
	StepExecutionID string              `json:"stepExecutionId"`
	Name            string              `json:"name"`
	Action          string              `json:"action"`
	Status          string              `json:"status"`
	Start           *output.Time        `json:"start,omitempty"`
	End             *output.Time        `json:"end,omitempty"`
	MaxAttempts     int                 `json:"maxAttempts,omitempty"`
	TimeoutSeconds  int64               `json:"timeoutSeconds,omitempty"`
	OnFailure       string              `json:"onFailure,omitempty"`
	IsCritical      bool                `json:"isCritical"`
	Inputs          map[string]string   `json:"inputs,omitempty"`
	Outputs         map[string][]string `json:"outputs,omitempty"`
	FailureMessage  string              `json:"failureMessage,omitempty"`
	FailureType     string              `json:"failureType,omitempty"`
}

func newExecutionView(e automation.Execution) executionView {
	v := executionView{
		ExecutionID: e.ID, Document: e.Document, DocumentVersion: e.DocumentVersion, Status: e.Status, Mode: e.Mode,
		Start: output.NewTime(e.Start), End: output.NewTime(e.End), ExecutedBy: e.ExecutedBy, Parent: e.Parent,
		Target: e.Target, TargetParameter: e.TargetParameter, ResolvedTargets: e.ResolvedTargets,
		MaxConcurrency: e.MaxConcurrency, MaxErrors: e.MaxErrors, CurrentStep: e.CurrentStep, CurrentAction: e.CurrentAction,
		FailureMessage: e.FailureMessage, Parameters: e.Parameters, Outputs: e.Outputs, Locations: e.Locations,
	}
	for _, s := range e.Steps {
		v.Steps = append(v.Steps, newStepView(s))
	}
	return v
}

func newStepView(s automation.Step) stepView {
	return stepView{
		StepExecutionID: s.ID, Name: s.Name, Action: s.Action, Status: s.Status, Start: output.NewTime(s.Start), End: output.NewTime(s.End),
		MaxAttempts: s.MaxAttempts, TimeoutSeconds: s.TimeoutSeconds, OnFailure: s.OnFailure, IsCritical: s.IsCritical,
		Inputs: s.Inputs, Outputs: s.Outputs, FailureMessage: s.FailureMessage, FailureType: s.FailureType,
	}
}

// checkExecutionID refuses what cannot be an execution ID before any call.
func checkExecutionID(id string) error {
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		return cmdutil.FlagErrorf("invalid execution ID %q: want the 36-character ID that automation start prints", id)
	}
	return nil
}

// duration is a step's or execution's length for the live view.
func duration(start, end time.Time) string {
	if start.IsZero() || end.IsZero() {
		return ""
	}
	d := end.Sub(start)
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// liveView prints each step as it starts and ends, and keeps the spinner
// on the current step; an approval says who may approve and how.
type liveView struct {
	io   *output.Streams
	id   string
	text bool // print the step lines (not with -o json|yaml)
}

func (v *liveView) onStep(ev automation.Event, s automation.Step) {
	if !v.text {
		return
	}
	out := v.io.Out
	switch ev {
	case automation.StepStarted:
		fmt.Fprintf(out, "%s (%s): started\n", s.Name, s.Action)
	case automation.StepEnded:
		line := fmt.Sprintf("%s (%s): %s", s.Name, s.Action, s.Status)
		if d := duration(s.Start, s.End); d != "" {
			line += " in " + d
		}
		if s.FailureMessage != "" {
			line += ": " + s.FailureMessage
		}
		fmt.Fprintln(out, line)
		keys := make([]string, 0, len(s.Outputs))
		for k := range s.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(out, "  %s: %s\n", k, strings.TrimRight(strings.Join(s.Outputs[k], ", "), "\n"))
		}
	}
}

// approvalTold remembers the approval steps already announced.
func (v *liveView) onPoll(e automation.Execution, told map[string]bool) {
	label := e.Status
	if n := len(e.Steps); n > 0 {
		s := e.Steps[n-1]
		label = fmt.Sprintf("%s: %s (%s) %s", e.Status, s.Name, s.Action, s.Status)
		if s.WaitingForApproval() && !told[s.ID] {
			told[s.ID] = true
			v.io.Infof("%s waits for approval from %s: ssmctl automation approve %s (or reject)", s.Name, strings.Join(s.Approvers(), ", "), e.ID)
		}
		if s.Action == "aws:pause" && !automation.Done(s.Status) && !told[s.ID] {
			told[s.ID] = true
			v.io.Infof("%s is paused: ssmctl automation signal %s --step %s Resume", s.Name, e.ID, s.Name)
		}
	} else if len(e.ResolvedTargets) > 0 {
		label = fmt.Sprintf("%s: %d targets", e.Status, len(e.ResolvedTargets))
	}
	v.io.StartProgress(label)
}

// follow waits for an execution with the live view and returns how it
// ended; on an interrupt it stops the execution (Cancel) and exits with the
// signal's code.
func follow(ctx context.Context, io *output.Streams, p *output.Printer, client *automation.Client, id string, stopOnInterrupt bool) error {
	v := &liveView{io: io, id: id, text: !p.Structured()}
	told := map[string]bool{}
	io.StartProgress("Waiting for " + id)
	e, err := client.Wait(ctx, id, automation.WaitOptions{
		OnStep: v.onStep,
		OnPoll: func(e automation.Execution) { v.onPoll(e, told) },
	})
	io.StopProgress()
	if err != nil {
		if ctx.Err() == nil {
			return err
		}
		if !stopOnInterrupt {
			return exitcode.Interruptedf(ctx, "execution %s goes on: follow it with `ssmctl automation wait %s`", id, id)
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		io.Infof("%s: stopping execution %s", strings.ToUpper(exitcode.SignalOf(ctx).Error()[:1])+exitcode.SignalOf(ctx).Error()[1:], id)
		if serr := client.Stop(sctx, id, "Cancel"); serr != nil {
			return exitcode.New(exitcode.Other, "%s; execution %s may still run: stopping it failed: %s: stop it with `ssmctl automation stop %s`",
				exitcode.SignalOf(ctx), id, exitcode.Message(serr), id)
		}
		return exitcode.Interruptedf(ctx, "execution %s cancelled", id)
	}
	return finish(io, p, e)
}

// printLocations prints a multi-account and multi-Region execution's
// children grouped by account: "  ACCOUNT: REGION STATUS, REGION STATUS".
func printLocations(io *output.Streams, children []executionView) {
	var acct string
	var line []string
	flush := func() {
		if acct != "" {
			fmt.Fprintf(io.Out, "  %s: %s\n", acct, strings.Join(line, ", "))
		}
	}
	for _, c := range children {
		a, region, _ := strings.Cut(c.Locations[0], "/")
		if a != acct {
			flush()
			acct, line = a, nil
		}
		line = append(line, region+" "+c.Status)
	}
	flush()
}

// finish prints how an execution ended and returns its exit code.
func finish(io *output.Streams, p *output.Printer, e automation.Execution) error {
	multi := len(e.Locations) > 0 && e.Parent == ""
	if p.Structured() {
		v := newExecutionView(e)
		if multi {
			v.Children = locationChildren(e)
		}
		if err := p.Print(v, nil); err != nil {
			return err
		}
	} else {
		line := fmt.Sprintf("Execution %s %s", e.ID, e.Status)
		if d := duration(e.Start, e.End); d != "" {
			line += " in " + d
		}
		if e.FailureMessage != "" {
			line += ": " + e.FailureMessage
		}
		fmt.Fprintln(io.Out, line)
		keys := make([]string, 0, len(e.Outputs))
		for k := range e.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(io.Out, "  %s: %s\n", k, strings.Join(e.Outputs[k], ", "))
		}
		if multi {
			printLocations(io, locationChildren(e))
		}
	}
	if code := automation.ExitCode(e.Status); code != exitcode.OK {
		return exitcode.Silent(code)
	}
	return nil
}
