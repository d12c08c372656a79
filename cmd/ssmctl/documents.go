package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// documentView is a document as `doc ls` prints it. The JSON names are a
// stable contract (docs/run.md).
type documentView struct {
	Name          string     `json:"name"`
	Owner         string     `json:"owner"`
	DocumentType  string     `json:"documentType"`
	Version       string     `json:"documentVersion"`
	VersionName   string     `json:"versionName,omitempty"`
	SchemaVersion string     `json:"schemaVersion"`
	Format        string     `json:"documentFormat"`
	PlatformTypes []string   `json:"platformTypes"`
	TargetType    string     `json:"targetType,omitempty"`
	CreatedDate   *time.Time `json:"createdDate,omitempty"`
}

func newDocumentView(d runcmd.Document) documentView {
	v := documentView{Name: d.Name, Owner: d.Owner, DocumentType: d.Type, Version: d.Version, VersionName: d.VersionName,
		SchemaVersion: d.SchemaVersion, Format: d.Format, PlatformTypes: d.PlatformTypes, TargetType: d.TargetType}
	if v.PlatformTypes == nil {
		v.PlatformTypes = []string{}
	}
	if !d.CreatedDate.IsZero() {
		t := d.CreatedDate.UTC()
		v.CreatedDate = &t
	}
	return v
}

// documentDetailView is what `doc show` prints.
type documentDetailView struct {
	documentView
	Description    string                  `json:"description"`
	DefaultVersion string                  `json:"defaultVersion"`
	LatestVersion  string                  `json:"latestVersion"`
	Status         string                  `json:"status"`
	Parameters     []documentParameterView `json:"parameters"`
	Steps          []documentStepView      `json:"steps"`
}

type documentParameterView struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	Description    string   `json:"description"`
	Default        *string  `json:"default"`
	AllowedValues  []string `json:"allowedValues,omitempty"`
	AllowedPattern string   `json:"allowedPattern,omitempty"`
}

type documentStepView struct {
	Action    string   `json:"action"`
	Name      string   `json:"name"`
	Document  string   `json:"document,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
}

func newDocCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "doc",
		Aliases: []string{"docs", "document"},
		Short:   "List and show SSM documents",
		Long: `List SSM documents and show one's parameters, platforms and steps, so you
can see what 'ssmctl run --document NAME --param key=value' takes.`,
		Example: `  ssmctl doc ls --owner Self
  ssmctl doc show AWS-RunShellScript`,
	}
	cmd.AddCommand(newDocLsCmd(f, nil), newDocShowCmd(f, nil))
	return cmd
}

type docLsOptions struct {
	f        *factory
	Owner    string
	Type     string
	Platform string
	client   func(ctx context.Context) (*runcmd.Client, error)
}

var (
	docOwners    = []string{"All", "Self", "Amazon", "Private", "Public", "ThirdParty"}
	docTypes     = []string{"Command", "Session", "Automation", "Package", "Policy", "ChangeCalendar", "ChangeTemplate", "ApplicationConfiguration", "ApplicationConfigurationSchema", "DeploymentStrategy", "ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy"}
	docPlatforms = []string{"Linux", "Windows", "MacOS"}
)

// oneOf returns the allowed spelling of v (any case), or an error naming them.
func oneOf(flag, v string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", fmt.Errorf("invalid --%s %q: want one of %s", flag, v, strings.Join(allowed, ", "))
}

func newDocLsCmd(f *factory, runF func(*docLsOptions) error) *cobra.Command {
	opts := &docLsOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List SSM documents",
		Long: `List the SSM documents of this account and region: by default the Command
documents of every owner, which are what 'ssmctl run --document' takes.`,
		Example: `  ssmctl doc ls --owner Self
  ssmctl doc ls --type Session
  ssmctl doc ls --platform Windows -o json --query '[].name'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Owner, err = oneOf("owner", opts.Owner, docOwners); err != nil {
				return newUsageError(cmd, err)
			}
			if opts.Type != "" {
				if opts.Type, err = oneOf("type", opts.Type, docTypes); err != nil {
					return newUsageError(cmd, err)
				}
			}
			if opts.Platform != "" {
				if opts.Platform, err = oneOf("platform", opts.Platform, docPlatforms); err != nil {
					return newUsageError(cmd, err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return docLsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Owner, "owner", "All", "documents owned by `OWNER`: "+strings.Join(docOwners, ", "))
	cmd.Flags().StringVar(&opts.Type, "type", "Command", "documents of this `type`: Command, Session, Automation, Package, ... (empty for all)")
	cmd.Flags().StringVar(&opts.Platform, "platform", "", "documents for this `platform`: "+strings.Join(docPlatforms, ", "))
	_ = cmd.RegisterFlagCompletionFunc("owner", cobra.FixedCompletions(docOwners, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(docTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("platform", cobra.FixedCompletions(docPlatforms, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func docLsRun(ctx context.Context, opts *docLsOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Listing documents")
	docs, err := client.Documents(ctx, runcmd.DocumentFilter{Owner: opts.Owner, Type: opts.Type, Platform: opts.Platform})
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	views := make([]documentView, 0, len(docs))
	for _, d := range docs {
		views = append(views, newDocumentView(d))
	}
	return f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "OWNER", "TYPE", "VERSION", "PLATFORMS", "SCHEMA"}, NoTruncate: []int{0}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.Name, v.Owner, v.DocumentType, v.Version, strings.Join(v.PlatformTypes, ","), v.SchemaVersion})
		}
		return t
	})
}

type docShowOptions struct {
	f       *factory
	Name    string
	Version string
	client  func(ctx context.Context) (*runcmd.Client, error)
}

func newDocShowCmd(f *factory, runF func(*docShowOptions) error) *cobra.Command {
	opts := &docShowOptions{f: f, client: runcmdClient(f)}
	cmd := &cobra.Command{
		Use:   "show NAME[:VERSION]",
		Short: "Show a document's parameters, platforms and steps",
		Long: `Show an SSM document: its description, platforms, versions, the parameters
it takes (type, default, allowed values) and its steps. Composite steps
(aws:runDocument) name the document they run.`,
		Example: `  ssmctl doc show AWS-RunShellScript
  ssmctl doc show MyOrg-Deploy --version 3
  ssmctl doc show MyOrg-Deploy -o json --query 'parameters[].name'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Version != "" && strings.Contains(strings.TrimPrefix(opts.Name, "arn:"), ":") && !strings.HasPrefix(opts.Name, "arn:") {
				return newUsageError(cmd, fmt.Errorf("give the version once: %s or --version", opts.Name))
			}
			if runF != nil {
				return runF(opts)
			}
			return docShowRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeDocuments(f),
	}
	cmd.Flags().StringVar(&opts.Version, "version", "", "document `version`: a number, $LATEST or $DEFAULT (default $DEFAULT)")
	return cmd
}

func docShowRun(ctx context.Context, opts *docShowOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	d, err := client.DescribeDocument(ctx, opts.Name, opts.Version)
	if err != nil {
		return err
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
		v.Steps = append(v.Steps, documentStepView{Action: s.Action, Name: s.Name, Document: s.Document, Platforms: s.Platforms})
	}
	return f.printer.Print(v, func() output.Table {
		// Key/value rows, then one row per parameter and per step.
		t := output.Table{}
		add := func(k, val string) { t.Rows = append(t.Rows, []string{k, val}) }
		add("Name", v.Name)
		if v.Description != "" {
			add("Description", firstLine(v.Description))
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
				val += ": " + firstLine(p.Description)
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
			add(fmt.Sprintf("Step %d %s", i+1, s.Name), val)
		}
		return t
	})
}

// completeDocuments completes Command document names, with a short deadline.
func completeDocuments(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		client, err := runcmdClient(f)(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		docs, err := client.Documents(ctx, runcmd.DocumentFilter{Owner: "All", Type: "Command"})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, d := range docs {
			out = append(out, d.Name+"\t"+d.Owner)
		}
		return filterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
