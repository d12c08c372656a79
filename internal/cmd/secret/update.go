package secret

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// UpdateOptions is what secret update uses.
type UpdateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID          string
	Description *string
	KmsKeyID    *string
}

// NewCmdUpdate is `ssmctl secret update`.
func NewCmdUpdate(f *cmdutil.Factory, runF func(*UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	var desc, kms string
	cmd := &cobra.Command{
		Use:   "update NAME|ARN [--description D] [--kms-key-id K]",
		Short: "Change a secret's description or KMS key",
		Long: `Change a secret's description or KMS key (UpdateSecret) without a new
value; secret put stores a new value. A new KMS key applies to the
versions written from then on.`,
		Example: `  ssmctl secret update prod/db --description "the orders database"
  ssmctl secret update prod/db --kms-key-id alias/prod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if cmd.Flags().Changed("description") {
				if len(desc) > 2048 {
					return cmdutil.FlagErrorf("--description: at most 2048 characters")
				}
				opts.Description = &desc
			}
			if cmd.Flags().Changed("kms-key-id") {
				opts.KmsKeyID = &kms
			}
			if opts.Description == nil && opts.KmsKeyID == nil {
				return cmdutil.FlagErrorf("nothing to update: give --description or --kms-key-id")
			}
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	cmd.Flags().StringVar(&desc, "description", "", "the new description")
	cmd.Flags().StringVar(&kms, "kms-key-id", "", "the new KMS key (ID, ARN or alias)")
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := c.Update(ctx, opts.ID, opts.Description, opts.KmsKeyID)
	if err != nil {
		return err
	}
	return printWrite(opts.Printer(), r)
}
