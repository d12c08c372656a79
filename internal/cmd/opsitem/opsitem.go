// Package opsitem is `ssmctl opsitem` and its subcommands: OpsCenter
// OpsItems, created with deduplication, listed with DescribeOpsItems's
// filters, read, updated, resolved with a note, and related to documents
// and incidents.
package opsitem

import (
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// NewCmdOpsItem is `ssmctl opsitem` with its subcommands.
func NewCmdOpsItem(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "opsitem",
		Aliases: []string{"opsitems", "ops"},
		Short:   "Create, find, update and resolve OpsCenter OpsItems",
		Long: `Track operational work in Systems Manager OpsCenter: create OpsItems from
scripts and alert handlers without duplicates (--dedup), find what is open,
move them from Open to InProgress to Resolved, and relate them to
documents and incidents.

An OpsItem needs a title, a source and a description. Priority is 1
(highest) to 5, severity 1 (critical) to 4. Operational data is key=value,
searchable (shown by ls and matched by ls --data) with :searchable. Values
are checked before any call; a bad one exits 252. See docs/opsitem.md.`,
		Example: `  ssmctl opsitem create --title "EC2 instance disk full" --source ec2 \
      --description "Log clean up may have failed due to full disk" --priority 2 \
      --data EC2=1:searchable --dedup disk-full-i-0abc
  ssmctl opsitem ls --status Open --priority 1
  ssmctl opsitem get oi-1a2b3c4d5e6f
  ssmctl opsitem update oi-1a2b3c4d5e6f --status InProgress
  ssmctl opsitem resolve oi-1a2b3c4d5e6f --note "log rotation fixed"`,
	}
	cmd.AddCommand(
		NewCmdCreate(f, nil), NewCmdLs(f, nil), NewCmdGet(f, nil), NewCmdUpdate(f, nil), NewCmdResolve(f, nil),
		NewCmdRelate(f, nil), NewCmdUnrelate(f, nil), NewCmdRelated(f, nil),
	)
	return cmd
}

// dataView is one operational data entry. The JSON names of the views
// are a stable contract (docs/opsitem.md).
type dataView struct {
	Key        string `json:"key"`
	Value      string `json:"value"`
	Searchable bool   `json:"searchable"`
}

func newDataViews(m map[string]opsitems.Data) []dataView {
	out := []dataView{}
	for _, k := range opsitems.DataKeys(m) {
		out = append(out, dataView{Key: k, Value: m[k].Value, Searchable: m[k].Searchable})
	}
	return out
}

// summaryView is one OpsItem as ls prints it.
type summaryView struct {
	ID              string       `json:"id"`
	Title           string       `json:"title"`
	Status          string       `json:"status"`
	Priority        int32        `json:"priority,omitempty"`
	Severity        string       `json:"severity,omitempty"`
	Source          string       `json:"source"`
	Category        string       `json:"category,omitempty"`
	Type            string       `json:"type"`
	OperationalData []dataView   `json:"operationalData"`
	CreatedBy       string       `json:"createdBy"`
	Created         *output.Time `json:"created,omitempty"`
	LastModifiedBy  string       `json:"lastModifiedBy"`
	LastModified    *output.Time `json:"lastModified,omitempty"`
}

// relatedView is one related item.
type relatedView struct {
	AssociationID   string       `json:"associationId"`
	AssociationType string       `json:"associationType"`
	ResourceType    string       `json:"resourceType"`
	ResourceURI     string       `json:"resourceUri"`
	CreatedBy       string       `json:"createdBy"`
	Created         *output.Time `json:"created,omitempty"`
}

func newRelatedViews(items []opsitems.RelatedItem) []relatedView {
	out := []relatedView{}
	for _, r := range items {
		out = append(out, relatedView{AssociationID: r.AssociationID, AssociationType: r.AssociationType,
			ResourceType: r.ResourceType, ResourceURI: r.ResourceURI, CreatedBy: r.CreatedBy, Created: output.NewTime(r.Created)})
	}
	return out
}

// itemView is one OpsItem as get prints it.
type itemView struct {
	ID              string        `json:"id"`
	ARN             string        `json:"arn"`
	Title           string        `json:"title"`
	Description     string        `json:"description"`
	Status          string        `json:"status"`
	Priority        int32         `json:"priority,omitempty"`
	Severity        string        `json:"severity,omitempty"`
	Source          string        `json:"source"`
	Category        string        `json:"category,omitempty"`
	Type            string        `json:"type"`
	Version         string        `json:"version"`
	OperationalData []dataView    `json:"operationalData"`
	Notifications   []string      `json:"notifications"`
	RelatedOpsItems []string      `json:"relatedOpsItems"`
	Resources       []string      `json:"resources"`
	RelatedItems    []relatedView `json:"relatedItems"`
	CreatedBy       string        `json:"createdBy"`
	Created         *output.Time  `json:"created,omitempty"`
	LastModifiedBy  string        `json:"lastModifiedBy"`
	LastModified    *output.Time  `json:"lastModified,omitempty"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// idArg checks the one OpsItem ID argument of a verb.
func idArg(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmdutil.FlagErrorf("%s needs an OpsItem ID", cmd.CommandPath())
	}
	if len(args) > 1 {
		return cmdutil.FlagErrorf("%s takes one OpsItem ID, got %d arguments", cmd.CommandPath(), len(args))
	}
	return opsitems.CheckID(args[0])
}
