package doc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// ShowOptions is what doc show uses.
type ShowOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*runcmd.Client, error)

	Name    string
	Version string
	Content bool
}

// NewCmdShow is `ssmctl doc show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().RunCommand}
	cmd := &cobra.Command{
		Use:   "show NAME[:VERSION]",
		Short: "Show a document's parameters, platforms and steps",
		Long: `Show an SSM document: its description, platforms, versions, the parameters
it takes (type, default, allowed values) and its steps. Composite steps
(aws:runDocument) name the document they run.

--content prints the document itself instead, as stored (JSON or YAML),
ready to read or to save and edit; -o does not apply to it.`,
		Example: `  ssmctl doc show AWS-RunShellScript
  ssmctl doc show MyOrg-Deploy --version 3
  ssmctl doc show MyOrg-Deploy -o json --query 'parameters[].name'
  ssmctl doc show AWS-RunShellScript --content > run-shell-script.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Version != "" && strings.Contains(strings.TrimPrefix(opts.Name, "arn:"), ":") && !strings.HasPrefix(opts.Name, "arn:") {
				return cmdutil.FlagErrorf("give the version once: %s or --version", opts.Name)
			}
			if opts.Content && cmd.Flags().Changed("query") {
				return cmdutil.FlagErrorf("--content prints the document as stored; --query does not apply to it")
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
		ValidArgsFunction: cmdutil.CompleteDocuments(f),
	}
	cmd.Flags().StringVar(&opts.Version, "version", "", "document `version`: a number, $LATEST or $DEFAULT (default $DEFAULT)")
	cmd.Flags().BoolVar(&opts.Content, "content", false, "print the document's content as stored (JSON or YAML)")
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	d, err := client.DescribeDocument(ctx, opts.Name, opts.Version)
	if err != nil {
		return err
	}
	if opts.Content {
		content := d.Content
		if !strings.HasSuffix(content, "\n") {
			content += "\n"
		}
		if _, err := io.WriteString(opts.IO.Out, content); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	v := documentDetailView{
		documentView:   newDocumentView(d.Document),
		Description:    d.Description,
		DefaultVersion: d.DefaultVersion,
		LatestVersion:  d.LatestVersion,
		Status:         d.Status,
		Parameters:     []documentParameterView{},
		Steps:          []documentStepView{},
	}
	for _, p := range d.Parameters {
		v.Parameters = append(v.Parameters, documentParameterView{Name: p.Name, Type: p.Type, Description: p.Description,
			Default: p.Default, AllowedValues: p.AllowedValues, AllowedPattern: p.AllowedPattern})
	}
	for _, s := range d.Steps {
		v.Steps = append(v.Steps, documentStepView{Action: s.Action, Name: s.Name, Document: s.Document, Platforms: s.Platforms,
			OnFailure: s.OnFailure, NextStep: s.NextStep, IsEnd: s.IsEnd, MaxAttempts: s.MaxAttempts, TimeoutSeconds: s.TimeoutSeconds, Inputs: s.Inputs})
	}
	return opts.Printer().Print(v, func() output.Table {
		// Key/value rows, then one row per parameter and per step.
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		add("Name", v.Name)
		if v.Description != "" {
			add("Description", output.FirstLine(v.Description))
		}
		add("Type", v.DocumentType)
		add("Owner", v.Owner)
		add("Platforms", strings.Join(v.PlatformTypes, ", "))
		add("Version", fmt.Sprintf("%s (default %s, latest %s)", v.Version, v.DefaultVersion, v.LatestVersion))
		add("Schema", v.SchemaVersion)
		for _, p := range v.Parameters {
			val := p.Type
			if p.Default != nil {
				val += fmt.Sprintf(", default %q", *p.Default)
			} else {
				val += ", required"
			}
			if len(p.AllowedValues) > 0 {
				val += ", one of " + strings.Join(p.AllowedValues, "|")
			}
			if p.Description != "" {
				val += ": " + output.FirstLine(p.Description)
			}
			add("Parameter "+p.Name, val)
		}
		for i, s := range v.Steps {
			val := s.Action
			if s.Document != "" {
				val += " -> " + s.Document
			}
			if len(s.Platforms) > 0 {
				val += " (" + strings.Join(s.Platforms, ", ") + ")"
			}
			val += runbookStep(s)
			add(fmt.Sprintf("Step %d %s", i+1, s.Name), val)
		}
		return t
	})
}

// runbookStep is an Automation step's inputs and flow, readably:
// " InstanceIds={{ InstanceId }} DesiredState=stopped; on failure step:x,
// then next, end".
func runbookStep(s documentStepView) string {
	if s.Inputs == nil {
		return ""
	}
	keys := make([]string, 0, len(s.Inputs))
	for k := range s.Inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := s.Inputs[k]
		var str string
		if json.Unmarshal([]byte(v), &str) == nil {
			v = str
		}
		parts = append(parts, k+"="+output.FirstLine(v))
	}
	out := ""
	if len(parts) > 0 {
		out = " " + strings.Join(parts, " ")
	}
	var flow []string
	if s.TimeoutSeconds > 0 {
		flow = append(flow, fmt.Sprintf("timeout %ds", s.TimeoutSeconds))
	}
	if s.MaxAttempts > 1 {
		flow = append(flow, fmt.Sprintf("%d attempts", s.MaxAttempts))
	}
	if s.OnFailure != "" {
		flow = append(flow, "on failure "+s.OnFailure)
	}
	if s.NextStep != "" {
		flow = append(flow, "then "+s.NextStep)
	}
	if s.IsEnd {
		flow = append(flow, "end")
	}
	if len(flow) > 0 {
		out += "; " + strings.Join(flow, ", ")
	}
	return out
}
