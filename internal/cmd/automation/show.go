package automation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// ShowOptions is what automation show uses.
type ShowOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*automation.Client, error)

	ExecutionID string
}

// NewCmdShow is `ssmctl automation show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:   "show EXECUTION_ID",
		Short: "Show an execution with every step",
		Long: `Show an execution (GetAutomationExecution): its runbook, status, parameters
and outputs, and every step with its action, status, attempts, inputs,
outputs and failure details; a rate-controlled execution lists its child
executions.`,
		Example: `  ssmctl automation show 4d1e3c2b-1234-4d5e-9f00-123456789abc
  ssmctl automation show "$id" -o json --query 'steps[?status==` + "`Failed`" + `].failureMessage'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkExecutionID(args[0]); err != nil {
				return err
			}
			opts.ExecutionID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	e, err := client.Get(ctx, opts.ExecutionID)
	if err != nil {
		return err
	}
	v := newExecutionView(e)
	switch {
	case len(e.Locations) > 0 && e.Parent == "":
		v.Children = locationChildren(e)
	case e.TargetParameter != "":
		children, err := client.List(ctx, automation.ListFilter{Parent: e.ID})
		if err != nil {
			return err
		}
		for _, c := range children {
			v.Children = append(v.Children, newExecutionView(c))
		}
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(v, func() output.Table {
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		add("Execution", v.ExecutionID)
		add("Document", v.Document+versionSuffix(v.DocumentVersion))
		status := v.Status
		if d := duration(e.Start, e.End); d != "" {
			status += " in " + d
		}
		add("Status", status)
		add("Started", output.TimeLabel(v.Start, now, tty))
		if v.Mode != "" && v.Mode != "Auto" {
			add("Mode", v.Mode)
		}
		if v.Parent != "" {
			add("Parent", v.Parent)
		}
		if v.Target != "" {
			add("Target", v.Target)
		}
		if v.FailureMessage != "" {
			add("Failure", v.FailureMessage)
		}
		for _, k := range sortedKeys(v.Parameters) {
			add("Parameter "+k, strings.Join(v.Parameters[k], ", "))
		}
		for _, k := range sortedKeys(v.Outputs) {
			add("Output "+k, strings.Join(v.Outputs[k], ", "))
		}
		if v.TargetParameter != "" {
			add("Rate control", fmt.Sprintf("%d targets in %s, max concurrency %s, max errors %s", len(v.ResolvedTargets), v.TargetParameter, v.MaxConcurrency, v.MaxErrors))
		}
		for i, s := range e.Steps {
			val := fmt.Sprintf("%s %s", s.Action, s.Status)
			if d := duration(s.Start, s.End); d != "" {
				val += " in " + d
			}
			if s.MaxAttempts > 1 {
				val += fmt.Sprintf(" (max %d attempts)", s.MaxAttempts)
			}
			if s.FailureMessage != "" {
				val += ": " + s.FailureMessage
			}
			add(fmt.Sprintf("Step %d %s", i+1, s.Name), val)
			for _, k := range sortedKeys(s.Outputs) {
				add("  "+k, strings.TrimRight(strings.Join(s.Outputs[k], ", "), "\n"))
			}
		}
		if len(v.Locations) > 0 {
			add("Locations", strings.Join(v.Locations, ", "))
		}
		for _, c := range v.Children {
			where := c.Target
			if where == "" {
				where = strings.Join(c.Locations, ",")
			}
			val := cmp.Or(c.ExecutionID, "-") + " " + c.Status
			if c.ExecutionID == "" && c.FailureMessage != "" {
				val += ": " + c.FailureMessage
			}
			add("Child "+where, val)
		}
		return t
	})
}

// locationChildren are a multi-account and multi-Region parent's children,
// by account and then Region. They run in their accounts and Regions, so
// the parent's account does not list them (DescribeAutomationExecutions
// there finds only those in its own Region): the parent's steps, one per
// location with the child's ID and status, say what ran where. A location
// whose child never started (its role could not be assumed) has no ID.
func locationChildren(e automation.Execution) []executionView {
	var out []executionView
	for _, s := range e.Steps {
		if s.Location == "" {
			continue
		}
		out = append(out, executionView{
			ExecutionID: s.ChildID(), Document: e.Document, Status: s.Status, Parent: e.ID,
			Start: output.NewTime(s.Start), End: output.NewTime(s.End), FailureMessage: s.FailureMessage,
			Locations: []string{s.Location},
		})
	}
	slices.SortStableFunc(out, func(a, b executionView) int {
		aa, ar, _ := strings.Cut(a.Locations[0], "/")
		ba, br, _ := strings.Cut(b.Locations[0], "/")
		return cmp.Or(cmp.Compare(aa, ba), cmp.Compare(ar, br))
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
