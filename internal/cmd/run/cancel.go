package run

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// CancelOptions is what run cancel uses.
type CancelOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*runcmd.Client, error)

	CommandID string
	Nodes     []string
}

// NewCmdCancel is `ssmctl run cancel`.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{IO: f.IO, Client: f.Clients().RunCommand}
	cmd := &cobra.Command{
		Use:   "cancel COMMAND_ID",
		Short: "Cancel a command on every node, or on some",
		Long: `Ask AWS to cancel a command sent earlier, on every node or on the nodes
given with --node. Nodes that already finished are not affected.`,
		Example: `  ssmctl run cancel 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run cancel "$id" --node i-0123456789abcdef0 --node i-0fedcba9876543210`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			for _, n := range opts.Nodes {
				if s, err := target.Parse(n); err != nil || s.Kind != target.KindID {
					return cmdutil.FlagErrorf("invalid --node %q: want a node ID", n)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Nodes, "node", nil, "cancel on this node `ID` only (repeatable)")
	return cmd
}

func cancelRun(ctx context.Context, opts *CancelOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if err := client.CancelCommand(ctx, opts.CommandID, opts.Nodes); err != nil {
		return err
	}
	opts.IO.Infof("Cancellation of %s requested", opts.CommandID)
	return nil
}
