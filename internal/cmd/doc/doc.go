// Package doc is `ssmctl doc`: listing SSM documents and showing one.
package doc

import (
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// documentView is a document as `doc ls` prints it. The JSON names are a
// stable contract (docs/run.md).
type documentView struct {
	Name          string       `json:"name"`
	Owner         string       `json:"owner"`
	DocumentType  string       `json:"documentType"`
	Version       string       `json:"documentVersion"`
	VersionName   string       `json:"versionName,omitempty"`
	SchemaVersion string       `json:"schemaVersion"`
	Format        string       `json:"documentFormat"`
	PlatformTypes []string     `json:"platformTypes"`
	TargetType    string       `json:"targetType,omitempty"`
	CreatedDate   *output.Time `json:"createdDate,omitempty"`
}

func newDocumentView(d runcmd.Document) documentView {
	v := documentView{Name: d.Name, Owner: d.Owner, DocumentType: d.Type, Version: d.Version, VersionName: d.VersionName,
		SchemaVersion: d.SchemaVersion, Format: d.Format, PlatformTypes: d.PlatformTypes, TargetType: d.TargetType}
	if v.PlatformTypes == nil {
		v.PlatformTypes = []string{}
	}
	v.CreatedDate = output.NewTime(d.CreatedDate)
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
	// Automation runbooks: the step's flow and inputs.
	OnFailure      string            `json:"onFailure,omitempty"`
	NextStep       string            `json:"nextStep,omitempty"`
	IsEnd          bool              `json:"isEnd,omitempty"`
	MaxAttempts    int               `json:"maxAttempts,omitempty"`
	TimeoutSeconds int               `json:"timeoutSeconds,omitempty"`
	Inputs         map[string]string `json:"inputs,omitempty"`
}

// NewCmdDoc is `ssmctl doc`.
func NewCmdDoc(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "doc",
		Aliases: []string{"docs", "document"},
		Short:   "List and show SSM documents",
		Long: `List SSM documents and show one's parameters, platforms and steps, so you
can see what 'ssmctl run --document NAME --param key=value' takes.`,
		Example: `  ssmctl doc ls --owner Self
  ssmctl doc show AWS-RunShellScript`,
	}
	cmd.AddCommand(NewCmdLs(f, nil), NewCmdShow(f, nil))
	return cmd
}

// NewCmdDocOfType is `doc` for one document type, as another group shows
// it: `ssmctl automation doc` (its examples are that group's); ls lists
// that type only.
func NewCmdDocOfType(f *cmdutil.Factory, docType string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doc",
		Short: "List and show " + docType + " documents",
		Long: `List the ` + docType + ` documents of this account and region, and show one's
parameters and steps: 'ssmctl doc ls --type ` + docType + `' and 'ssmctl doc show'.`,
		Example: `  ssmctl automation doc ls --owner Amazon
  ssmctl automation doc show AWS-RestartEC2Instance`,
	}
	ls := NewCmdLs(f, nil)
	_ = ls.Flags().Set("type", docType)
	_ = ls.Flags().MarkHidden("type")
	ls.Example = "  ssmctl automation doc ls --owner Self\n  ssmctl automation doc ls -o json --query '[].name'"
	show := NewCmdShow(f, nil)
	show.Example = "  ssmctl automation doc show AWS-StopEC2InstanceWithApproval\n  ssmctl automation doc show MyRunbook --content"
	cmd.AddCommand(ls, show)
	return cmd
}
