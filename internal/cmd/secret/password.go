package secret

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// PasswordOptions is what secret password uses.
type PasswordOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*secrets.Client, error)

	Password secrets.Password
}

// NewCmdPassword is `ssmctl secret password`.
func NewCmdPassword(f *cmdutil.Factory, runF func(*PasswordOptions) error) *cobra.Command {
	opts := &PasswordOptions{IO: f.IO, Client: f.Clients().Secrets}
	var eachType bool
	cmd := &cobra.Command{
		Use:   "password [--length N] [--exclude-punctuation] ...",
		Short: "Print a random password (GetRandomPassword)",
		Long: `Print a random password made by Secrets Manager (GetRandomPassword): 32
characters by default (--length 1..4096) from lower and upper case
letters, digits and punctuation, at least one of each type unless
--require-each-type=false.`,
		Example: `  ssmctl secret password
  ssmctl secret password --length 20 --exclude-punctuation
  ssmctl secret set-field prod/db password "$(ssmctl secret password --exclude-chars '"@/\')"`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("length") && (opts.Password.Length < 1 || opts.Password.Length > 4096) {
				return cmdutil.FlagErrorf("--length: 1 to 4096, not %d", opts.Password.Length)
			}
			if len(opts.Password.Exclude) > 4096 {
				return cmdutil.FlagErrorf("--exclude-chars: at most 4096 characters")
			}
			opts.Password.NotEachType = !eachType
			if runF != nil {
				return runF(opts)
			}
			return passwordRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&opts.Password.Length, "length", 32, "the password's length (1..4096)")
	fl.StringVar(&opts.Password.Exclude, "exclude-chars", "", "characters the password must not contain")
	fl.BoolVar(&opts.Password.NoNumbers, "exclude-numbers", false, "no digits")
	fl.BoolVar(&opts.Password.NoPunctuation, "exclude-punctuation", false, "no punctuation")
	fl.BoolVar(&opts.Password.NoUppercase, "exclude-uppercase", false, "no upper case letters")
	fl.BoolVar(&opts.Password.NoLowercase, "exclude-lowercase", false, "no lower case letters")
	fl.BoolVar(&opts.Password.Space, "include-space", false, "spaces may appear")
	fl.BoolVar(&eachType, "require-each-type", true, "at least one character of each included type")
	return cmd
}

func passwordRun(ctx context.Context, opts *PasswordOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	pw, err := c.RandomPassword(ctx, opts.Password)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(opts.IO.Out, pw); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
