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
