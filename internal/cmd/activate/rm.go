package activate

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// RmOptions is what activate rm uses.
type RmOptions struct {
	IO     *output.Streams
	Client clientFunc

	ID string
}

// NewCmdRm is `ssmctl activate rm`.
func NewCmdRm(f *cmdutil.Factory, runF func(*RmOptions) error) *cobra.Command {
	opts := &RmOptions{IO: f.IO, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:   "rm ACTIVATION_ID",
		Short: "Delete an activation (its nodes stay registered)",
		Long: `Delete an activation (DeleteActivation): no node can register with its code
any more. Nodes already registered through it stay registered, as in AWS;
remove them with ssmctl activate deregister.`,
		Example: `  ssmctl activate rm 0c8d2f3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := activations.CheckID(args[0]); err != nil {
				return err
			}
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return rmRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func rmRun(ctx context.Context, opts *RmOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if err := c.Delete(ctx, opts.ID); err != nil {
		return err
	}
	opts.IO.Infof("Deleted activation %s; the nodes registered through it stay registered.", opts.ID)
	return nil
}
