package opsitem

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// RelateOptions is what opsitem relate uses.
type RelateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*opsitems.Client, error)

	ID              string
	Resource        string
	AssociationType string
}

// NewCmdRelate is `ssmctl opsitem relate`.
func NewCmdRelate(f *cmdutil.Factory, runF func(*RelateOptions) error) *cobra.Command {
	opts := &RelateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().OpsItems}
	cmd := &cobra.Command{
		Use:   "relate ID --resource ARN",
		Short: "Relate a document or an incident to an OpsItem",
		Long: `Associate a related item with an OpsItem and print the association's ID
(which unrelate takes). OpsCenter supports Systems Manager documents
(arn:aws:ssm:REGION:ACCOUNT:document/NAME) and Incident Manager incidents
(arn:aws:ssm-incidents::ACCOUNT:incident-record/...); list any other
resource with update --resource ARN.`,
		Example: `  ssmctl opsitem relate oi-1a2b3c4d5e6f --resource arn:aws:ssm:us-east-1:123456789012:document/RestartNginx`,
		Args:    idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if opts.Resource == "" {
				return cmdutil.FlagErrorf("relate needs --resource ARN")
			}
			if _, err := opsitems.ResourceType(opts.Resource); err != nil {
				return err
			}
			t, err := cmdutil.OneOf("association-type", opts.AssociationType, opsitems.AssociationTypes)
			if err != nil {
				return err
			}
			opts.AssociationType = t
			if runF != nil {
				return runF(opts)
			}
			c, err := opts.Client(cmd.Context())
			if err != nil {
				return err
			}
			id, err := c.Relate(cmd.Context(), opts.ID, opts.Resource, opts.AssociationType)
			if err != nil {
				return err
			}
			return printID(opts.IO, opts.Printer(), createdView{ID: id})
		},
	}
	cmd.Flags().StringVar(&opts.Resource, "resource", "", "the document's or incident's `ARN`")
	cmd.Flags().StringVar(&opts.AssociationType, "association-type", "RelatesTo", "RelatesTo or IsParentOf")
	return cmd
}
