package secret

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// SetFieldOptions is what secret set-field uses.
type SetFieldOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID, Key, Value string
}

// NewCmdSetField is `ssmctl secret set-field`.
func NewCmdSetField(f *cmdutil.Factory, runF func(*SetFieldOptions) error) *cobra.Command {
	opts := &SetFieldOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	cmd := &cobra.Command{
		Use:   "set-field NAME|ARN KEY [VALUE|-]",
		Short: "Change one key of a JSON secret, as a new version",
		Long: `Read a JSON secret's AWSCURRENT value, set one top-level KEY to VALUE (a
string; - reads it from stdin, one trailing newline dropped) and store the
result as a new AWSCURRENT version; the other keys are kept.

The new version becomes AWSCURRENT only if AWSCURRENT is still on the
version that was read: if another writer stored a version in between,
set-field exits 254 and the other writer's value stays current (the new
version is kept without staging labels). See docs/secrets.md.`,
		Example: `  ssmctl secret set-field prod/db password "$(ssmctl secret password)"
  ssmctl secret set-field prod/db host - < host.txt`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID, opts.Key = args[0], args[1]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if opts.Key == "" {
				return cmdutil.FlagErrorf("KEY is empty")
			}
			v, err := readValue(args[2:], "", opts.IO.In)
			if err != nil {
				return err
			}
			if v == nil {
				return cmdutil.FlagErrorf("no value: give VALUE or - (stdin)")
			}
			opts.Value = *v.String
			if runF != nil {
				return runF(opts)
			}
			return setFieldRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	return cmd
}

func setFieldRun(ctx context.Context, opts *SetFieldOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := c.SetField(ctx, opts.ID, opts.Key, opts.Value)
	if err != nil {
		return err
	}
	return printWrite(opts.Printer(), r)
}
