package opsitem

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// GetOptions is what opsitem get uses.
type GetOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*opsitems.Client, error)

	ID string
}

// NewCmdGet is `ssmctl opsitem get`.
func NewCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().OpsItems}
	cmd := &cobra.Command{
		Use:   "get ID",
		Short: "Print an OpsItem with every field",
		Long: `Print an OpsItem: every field, its operational data (searchable keys
marked), related OpsItems, related resources (/aws/resources), related
items (documents, incidents), notifications, and who created and last
modified it, when.`,
		Example: `  ssmctl opsitem get oi-1a2b3c4d5e6f
  ssmctl opsitem get oi-1a2b3c4d5e6f -o json --query status`,
		Args: idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	it, err := c.Get(ctx, opts.ID)
	if err != nil {
		return err
	}
	v := itemView{ID: it.ID, ARN: it.ARN, Title: it.Title, Description: it.Description, Status: it.Status,
		Priority: it.Priority, Severity: it.Severity, Source: it.Source, Category: it.Category, Type: it.Type,
		Version: it.Version, OperationalData: newDataViews(it.Data), Notifications: orEmpty(it.Notifications),
		RelatedOpsItems: orEmpty(it.RelatedOpsItems), Resources: orEmpty(it.Resources),
		RelatedItems: newRelatedViews(it.RelatedItems), CreatedBy: it.CreatedBy, Created: output.NewTime(it.Created),
		LastModifiedBy: it.LastModifiedBy, LastModified: output.NewTime(it.LastModified)}
	p := opts.Printer()
	return p.Print(v, func() output.Table {
		t := output.Table{}
		add := func(k, val string) {
			if val != "" {
				t.Rows = append(t.Rows, []string{k, val})
			}
		}
		when := func(at *output.Time) string { return output.TimeLabel(at, opts.Now(), p.TerminalTable()) }
		add("ID", v.ID)
		add("Title", v.Title)
		add("Status", v.Status)
		add("Priority", number(v.Priority))
		add("Severity", v.Severity)
		add("Source", v.Source)
		add("Category", v.Category)
		add("Type", v.Type)
		add("Version", v.Version)
		add("Created", when(v.Created)+" by "+v.CreatedBy)
		add("Modified", when(v.LastModified)+" by "+v.LastModifiedBy)
		add("ARN", v.ARN)
		for i, line := range strings.Split(v.Description, "\n") {
			k := ""
			if i == 0 {
				k = "Description"
			}
			t.Rows = append(t.Rows, []string{k, line})
		}
		for _, d := range v.OperationalData {
			val := d.Value
			if d.Searchable {
				val += " (searchable)"
			}
			add("Data "+d.Key, val)
		}
		for _, n := range v.Notifications {
			add("Notify", n)
		}
		for _, r := range v.RelatedOpsItems {
			add("Related OpsItem", r)
		}
		for _, r := range v.Resources {
			add("Resource", r)
		}
		for _, r := range v.RelatedItems {
			add("Related item", fmt.Sprintf("%s %s %s (%s)", r.AssociationID, r.AssociationType, r.ResourceURI, r.ResourceType))
		}
		return t
	})
}
