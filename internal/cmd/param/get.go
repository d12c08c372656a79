package param

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// GetOptions is what param get uses.
type GetOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	Names     []string
	Decrypt   bool
	ValueOnly bool
}

// NewCmdGet is `ssmctl param get`.
func NewCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "get NAME[:VERSION|:LABEL]...",
		Short: "Print parameters' values",
		Long: `Print the values of parameters, asked for by name, NAME:VERSION or NAME:LABEL,
10 per GetParameters call. Names that do not exist are listed on stderr and
the command exits 254, after printing the ones that do.

--value-only prints the raw values, one per line, in the order asked, for
scripts: value=$(ssmctl param get /app/db/url --value-only). A SecureString
is printed as AWS returns it without --decrypt, i.e. encrypted.`,
		Example: `  ssmctl param get /app/prod/db/url
  ssmctl param get /app/prod/db/password --decrypt --value-only
  ssmctl param get /app/prod/db/url:3 /app/prod/db/url:stable -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			for _, n := range args {
				if _, err := params.ParseSelector(n); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "decrypt SecureString values")
	cmd.Flags().BoolVar(&opts.ValueOnly, "value-only", false, "print only the values, one per line")
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	found, missing, err := c.Get(ctx, opts.Names, opts.Decrypt)
	if err != nil {
		return err
	}
	if !opts.Decrypt {
		for _, p := range found {
			if p.Secure() {
				opts.IO.Warnf("%s is a SecureString and is shown encrypted; add --decrypt for its value", p.Name)
			}
		}
	}
	if opts.ValueOnly {
		var b strings.Builder
		for _, p := range found {
			b.WriteString(p.Value)
			b.WriteByte('\n')
		}
		if _, err := io.WriteString(opts.IO.Out, b.String()); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	} else {
		views := make([]parameterView, 0, len(found))
		for _, p := range found {
			views = append(views, newParameterView(p))
		}
		if err := opts.Printer().Print(views, func() output.Table {
			t := output.Table{Headers: []string{"NAME", "TYPE", "VERSION", "VALUE"}, NoTruncate: []int{0}}
			for _, v := range views {
				t.Rows = append(t.Rows, []string{v.Selector, v.Type, strconv.FormatInt(v.Version, 10), v.Value})
			}
			return t
		}); err != nil {
			return err
		}
	}
	return notFound("GetParameters", missing)
}

// notFound is the exit error for the parameters that do not exist, which
// operation (GetParameters, DeleteParameters) listed as invalid: one line
// each in AWS's form, "Operation: ParameterNotFound: NAME does not exist",
// exit 254.
func notFound(operation string, missing []string) error {
	failures := make([]cmdutil.Failure, 0, len(missing))
	for _, m := range missing {
		failures = append(failures, cmdutil.Failure{Err: exitcode.AWSErrorf(operation, "ParameterNotFound", "%s does not exist", m)})
	}
	return cmdutil.ItemsError(failures, "")
}
