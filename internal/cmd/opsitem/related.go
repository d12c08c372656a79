package opsitem

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// RelatedOptions is what opsitem related uses.
type RelatedOptions struct {
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*opsitems.Client, error)

	ID string
}

// NewCmdRelated is `ssmctl opsitem related`.
func NewCmdRelated(f *cmdutil.Factory, runF func(*RelatedOptions) error) *cobra.Command {
	opts := &RelatedOptions{Printer: f.Printer, Now: f.Now, Client: f.Clients().OpsItems}
	cmd := &cobra.Command{
		Use:     "related ID",
		Short:   "List an OpsItem's related items",
		Long:    `List the related items of an OpsItem (ListOpsItemRelatedItems): association ID and type, resource type and ARN, when.`,
		Example: `  ssmctl opsitem related oi-1a2b3c4d5e6f`,
		Args:    idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return relatedRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func relatedRun(ctx context.Context, opts *RelatedOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	items, err := c.Related(ctx, opts.ID)
	if err != nil {
		return err
	}
	views := newRelatedViews(items)
	p := opts.Printer()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"ASSOCIATION", "TYPE", "RESOURCE TYPE", "RESOURCE", "CREATED"},
			NoTruncate: []int{0, 3}, DropOrder: []int{2, 4}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.AssociationID, v.AssociationType, v.ResourceType, v.ResourceURI,
				output.TimeLabel(v.Created, opts.Now(), p.TerminalTable())})
		}
		return t
	})
}
