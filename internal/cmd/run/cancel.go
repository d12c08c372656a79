package run

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// CancelOptions is what run cancel uses.
type CancelOptions struct {
	IO      *output.Streams
	Client  func(ctx context.Context) (*runcmd.Client, error)
	Aliases func() map[string][]string

	CommandID string
	Nodes     []string

	// nodeSpecs is --node parsed.
	nodeSpecs []target.Spec
}

// NewCmdCancel is `ssmctl run cancel`.
func NewCmdCancel(f *cmdutil.Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{IO: f.IO, Client: f.Clients().RunCommand, Aliases: f.Aliases}
	cmd := &cobra.Command{
		Use:   "cancel COMMAND_ID",
		Short: "Cancel a command on every node, or on some",
		Long: `Ask AWS to cancel a command sent earlier, on every node or on the nodes
given with --node. Nodes that already finished are not affected.`,
		Example: `  ssmctl run cancel 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run cancel "$id" --node web-1 --node i-0fedcba9876543210`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			for _, n := range opts.Nodes {
				specs, err := target.ParseAll([]string{n}, opts.Aliases())
				if err != nil {
					return cmdutil.FlagErrorf("invalid --node %q: %s", n, exitcode.Message(err))
				}
				opts.nodeSpecs = append(opts.nodeSpecs, specs...)
			}
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Nodes, "node", nil, "cancel on these nodes only: a `TARGET` as run takes it (ID, name, glob, tag:K=V; repeatable)")
	return cmd
}

func cancelRun(ctx context.Context, opts *CancelOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	var ids []string
	if len(opts.nodeSpecs) > 0 {
		if ids, err = client.NodeIDs(ctx, opts.nodeSpecs); err != nil {
			return err
		}
	}
	if err := client.CancelCommand(ctx, opts.CommandID, ids); err != nil {
		return err
	}
	opts.IO.Infof("Cancellation of %s requested", opts.CommandID)
	return nil
}
