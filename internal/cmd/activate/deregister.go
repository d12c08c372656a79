package activate

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// DeregisterOptions is what activate deregister uses.
type DeregisterOptions struct {
	IO     *output.Streams
	Client clientFunc

	NodeID string
	Yes    bool
}

// NewCmdDeregister is `ssmctl activate deregister`.
func NewCmdDeregister(f *cmdutil.Factory, runF func(*DeregisterOptions) error) *cobra.Command {
	opts := &DeregisterOptions{IO: f.IO, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:   "deregister mi-NODE_ID",
		Short: "Deregister an on-premises node",
		Long: `Deregister an on-premises (mi-) node (DeregisterManagedInstance): it leaves the
fleet and its agent can no longer reach Systems Manager. To register the
machine again, its agent needs a new registration: with the same
activation only if it has registrations left (deregistering does not give
one back). Asks for confirmation on a terminal; --yes otherwise.`,
		Example: `  ssmctl activate deregister mi-0123456789abcdef0
  ssmctl activate deregister mi-0123456789abcdef0 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := activations.CheckNode(args[0]); err != nil {
				return err
			}
			opts.NodeID = args[0]
			if err := cmdutil.NeedYes(opts.IO, opts.Yes, "deregister"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return deregisterRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func deregisterRun(ctx context.Context, opts *DeregisterOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if !opts.Yes {
		ok, err := cmdutil.Confirm(opts.IO, fmt.Sprintf("Deregister %s?", opts.NodeID))
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was deregistered")
		}
	}
	if err := c.Deregister(ctx, opts.NodeID); err != nil {
		return err
	}
	opts.IO.Infof("Deregistered %s.", opts.NodeID)
	return nil
}
