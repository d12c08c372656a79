package secret

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// RestoreOptions is what secret restore uses.
type RestoreOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID string
}

// NewCmdRestore is `ssmctl secret restore`.
func NewCmdRestore(f *cmdutil.Factory, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	cmd := &cobra.Command{
		Use:   "restore NAME|ARN",
		Short: "Cancel a secret's scheduled deletion",
		Long: `Cancel the deletion of a secret scheduled with secret rm, within its
recovery window (RestoreSecret); the secret and its versions can be read
again.`,
		Example: `  ssmctl secret restore prod/old-key`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := c.Restore(ctx, opts.ID)
	if err != nil {
		return err
	}
	return printWrite(opts.Printer(), r)
}
