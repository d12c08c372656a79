package param

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// changeView is one difference that diff prints.
type changeView struct {
	Key    string  `json:"key"`
	Change string  `json:"change"`
	Reason string  `json:"reason,omitempty"`
	TypeA  string  `json:"typeA,omitempty"`
	TypeB  string  `json:"typeB,omitempty"`
	ValueA *string `json:"valueA,omitempty"`
	ValueB *string `json:"valueB,omitempty"`
}

// DiffOptions is what param diff uses.
type DiffOptions struct {
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	PathA, PathB string
	Values       bool
	Decrypt      bool
}

// NewCmdDiff is `ssmctl param diff`.
func NewCmdDiff(f *cmdutil.Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{Printer: f.Printer, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "diff PATH_A PATH_B",
		Short: "Compare the parameters under two paths",
		Long: `Compare every parameter under PATH_A with the same key under PATH_B: keys
only under B are added, only under A removed, under both with another value
or type changed. Values are compared decrypted but shown only with --values
(SecureString values masked unless --decrypt).

Exit status, as diff(1): 0 when the paths hold the same, 1 when they differ.`,
		Example: `  ssmctl param diff /app/staging /app/prod
  ssmctl param diff /app/staging /app/prod --values -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := params.ValidatePath(args[0])
			if err != nil {
				return err
			}
			b, err := params.ValidatePath(args[1])
			if err != nil {
				return err
			}
			opts.PathA, opts.PathB = a, b
			if opts.Decrypt && !opts.Values {
				return errDecryptNeedsValues()
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVar(&opts.Values, "values", false, "show the values that differ")
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "show SecureString values decrypted (with --values)")
	return cmd
}

func diffRun(ctx context.Context, opts *DiffOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	a, err := c.ByPath(ctx, opts.PathA, true, true)
	if err != nil {
		return err
	}
	b, err := c.ByPath(ctx, opts.PathB, true, true)
	if err != nil {
		return err
	}
	changes := params.Diff(opts.PathA, a, opts.PathB, b)
	show := func(p *params.Parameter) *string {
		if p == nil || !opts.Values {
			return nil
		}
		v := p.Value
		if p.Secure() && !opts.Decrypt {
			v = masked
		}
		return &v
	}
	views := make([]changeView, 0, len(changes))
	for _, ch := range changes {
		v := changeView{Key: ch.Key, Change: ch.Kind, Reason: ch.Reason, ValueA: show(ch.A), ValueB: show(ch.B)}
		if ch.A != nil {
			v.TypeA = ch.A.Type
		}
		if ch.B != nil {
			v.TypeB = ch.B.Type
		}
		views = append(views, v)
	}
	err = opts.Printer().Print(views, func() output.Table {
		h := []string{"KEY", "CHANGE", "DETAIL"}
		if opts.Values {
			h = append(h, "A", "B")
		}
		t := output.Table{Headers: h, NoTruncate: []int{0, 1}}
		for _, v := range views {
			row := []string{v.Key, v.Change, v.Reason}
			if opts.Values {
				row = append(row, deref(v.ValueA), deref(v.ValueB))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
	if err != nil {
		return err
	}
	if len(views) > 0 {
		return exitcode.Silent(exitcode.Failed)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
