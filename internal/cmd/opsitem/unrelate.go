package opsitem

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
)

// UnrelateOptions is what opsitem unrelate uses.
type UnrelateOptions struct {
	Client func(ctx context.Context) (*opsitems.Client, error)

	ID            string
	AssociationID string
}

// NewCmdUnrelate is `ssmctl opsitem unrelate`.
func NewCmdUnrelate(f *cmdutil.Factory, runF func(*UnrelateOptions) error) *cobra.Command {
	opts := &UnrelateOptions{Client: f.Clients().OpsItems}
	cmd := &cobra.Command{
		Use:     "unrelate ID ASSOCIATION_ID",
		Short:   "Remove a related item from an OpsItem",
		Long:    `Remove a related item, by the association ID relate printed (related lists them). Prints nothing.`,
		Example: `  ssmctl opsitem unrelate oi-1a2b3c4d5e6f 3f6c4a3e-8a8e-4f55-9b1e-2d4c5e6f7a8b`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return cmdutil.FlagErrorf("unrelate takes an OpsItem ID and an association ID, got %d arguments", len(args))
			}
			return opsitems.CheckID(args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID, opts.AssociationID = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			c, err := opts.Client(cmd.Context())
			if err != nil {
				return err
			}
			return c.Unrelate(cmd.Context(), opts.ID, opts.AssociationID)
		},
	}
	return cmd
}
