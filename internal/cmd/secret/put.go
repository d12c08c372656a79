package secret

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// PutOptions is what secret put uses.
type PutOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID     string
	Value  secrets.NewValue
	Stages []string
}

// NewCmdPut is `ssmctl secret put`.
func NewCmdPut(f *cmdutil.Factory, runF func(*PutOptions) error) *cobra.Command {
	opts := &PutOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	var fromFile string
	var pairs []string
	cmd := &cobra.Command{
		Use:   "put NAME|ARN [VALUE|-]",
		Short: "Store a new version of a secret",
		Long: `Store a new version of a secret (PutSecretValue). Without --stage it becomes
AWSCURRENT and the version that was current becomes AWSPREVIOUS; --stage S
(repeatable) attaches those staging labels instead (moving them from the
versions that had them).

The value is an argument, - for stdin, --from-file FILE or --json
KEY=VALUE pairs. The write carries a ClientRequestToken, so a retry after
a lost answer never makes a second version.`,
		Example: `  ssmctl secret put prod/api-key "$NEW_KEY"
  printf %s "$PW" | ssmctl secret put prod/db-password -
  ssmctl secret put prod/db --json username=app --json password=n3w --stage AWSPENDING`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if len(pairs) > 0 && (len(args) > 1 || fromFile != "") {
				return cmdutil.FlagErrorf("give the value one way: VALUE, --from-file or --json")
			}
			var v *secrets.NewValue
			var err error
			if len(pairs) > 0 {
				v, err = jsonValue(pairs)
			} else {
				v, err = readValue(args[1:], fromFile, opts.IO.In)
			}
			if err != nil {
				return err
			}
			if v == nil {
				return cmdutil.FlagErrorf("no value: give VALUE, - (stdin), --from-file or --json")
			}
			opts.Value = *v
			if len(opts.Stages) > 20 {
				return cmdutil.FlagErrorf("--stage: at most 20 staging labels")
			}
			if runF != nil {
				return runF(opts)
			}
			return putRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	cmd.Flags().StringArrayVar(&opts.Stages, "stage", nil, "attach this staging label instead of AWSCURRENT (repeatable)")
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the value from `FILE` (- for stdin)")
	cmd.Flags().StringArrayVar(&pairs, "json", nil, "build a JSON value from `KEY=VALUE` pairs (repeatable)")
	return cmd
}

func putRun(ctx context.Context, opts *PutOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := c.Put(ctx, opts.ID, opts.Value, opts.Stages)
	if err != nil {
		return err
	}
	return printWrite(opts.Printer(), r)
}
