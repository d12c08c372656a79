package secret

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// CreateOptions is what secret create uses.
type CreateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	Create secrets.Create
}

// NewCmdCreate is `ssmctl secret create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	var fromFile string
	var tags, pairs []string
	cmd := &cobra.Command{
		Use:   "create NAME [VALUE|-]",
		Short: "Create a secret",
		Long: `Create a secret, with its first version (AWSCURRENT) when a value is given:
as an argument, - for stdin (one trailing newline dropped), --from-file
FILE (binary kept as bytes), or --json KEY=VALUE (repeatable) to build a
JSON object. A value is at most 65,536 bytes.

Names use letters, digits and /_+=.@- (at most 512 characters); do not end
one with a hyphen and six characters (Secrets Manager adds such a suffix
to the ARN). The write carries a ClientRequestToken, so a retry never
makes a second version.`,
		Example: `  ssmctl secret create prod/api-key "$KEY"
  ssmctl secret create prod/db --json username=app --json password=s3cret --tag team=db
  ssmctl secret create prod/tls-key --from-file key.der --description "TLS key"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Create.Name = args[0]
			if err := checkName(opts.Create.Name); err != nil {
				return err
			}
			if len(pairs) > 0 && (len(args) > 1 || fromFile != "") {
				return cmdutil.FlagErrorf("give the value one way: VALUE, --from-file or --json")
			}
			var err error
			if len(pairs) > 0 {
				opts.Create.Value, err = jsonValue(pairs)
			} else {
				opts.Create.Value, err = readValue(args[1:], fromFile, opts.IO.In)
			}
			if err != nil {
				return err
			}
			if opts.Create.Tags, err = parseTags(tags); err != nil {
				return err
			}
			if len(opts.Create.Description) > 2048 {
				return cmdutil.FlagErrorf("--description: at most 2048 characters")
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Create.Description, "description", "", "the secret's description")
	cmd.Flags().StringVar(&opts.Create.KmsKeyID, "kms-key-id", "", "the KMS key (ID, ARN or alias) that encrypts it; default aws/secretsmanager")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "a tag `KEY=VALUE` (repeatable)")
	cmd.Flags().StringVar(&fromFile, "from-file", "", "read the value from `FILE` (- for stdin)")
	cmd.Flags().StringArrayVar(&pairs, "json", nil, "build a JSON secret from `KEY=VALUE` pairs (repeatable)")
	return cmd
}

// checkName applies CreateSecret's name rules before any call.
func checkName(name string) error {
	if name == "" || len(name) > 512 {
		return cmdutil.FlagErrorf("a secret name is 1 to 512 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+=.@-", r)) {
			return cmdutil.FlagErrorf("secret name %q: use letters, digits and /_+=.@- only", name)
		}
	}
	return nil
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	r, err := c.Create(ctx, opts.Create)
	if err != nil {
		return err
	}
	return printWrite(opts.Printer(), r)
}
