package param

import (
	"context"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// LabelOptions is what param label uses.
type LabelOptions struct {
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	Selector params.Selector
	Labels   []string
	Remove   bool
}

// NewCmdLabel is `ssmctl param label`.
func NewCmdLabel(f *cmdutil.Factory, runF func(*LabelOptions) error) *cobra.Command {
	return newLabelCmd(f, runF, false)
}

// NewCmdUnlabel is `ssmctl param unlabel`.
func NewCmdUnlabel(f *cmdutil.Factory, runF func(*LabelOptions) error) *cobra.Command {
	return newLabelCmd(f, runF, true)
}

func newLabelCmd(f *cmdutil.Factory, runF func(*LabelOptions) error, remove bool) *cobra.Command {
	opts := &LabelOptions{Printer: f.Printer, Client: f.Clients().Params, Remove: remove}
	cmd := &cobra.Command{
		Use:   "label NAME[:VERSION] LABEL...",
		Short: "Attach labels to a version (the latest by default)",
		Long: `Attach labels to a version of a parameter, the latest when no version is
given. A label already on another version moves to this one. Labels have
at most 100 characters of a-z A-Z 0-9 _ . -, do not begin with a digit, aws
or ssm, and a version carries at most 10.`,
		Example: `  ssmctl param label /app/prod/db/url stable
  ssmctl param label /app/prod/db/url:3 rollback previous`,
		Args: cobra.MinimumNArgs(2),
	}
	if remove {
		cmd.Use = "unlabel NAME:VERSION LABEL..."
		cmd.Short = "Remove labels from a version"
		cmd.Long = `Remove labels from a version of a parameter. The version must be given.`
		cmd.Example = `  ssmctl param unlabel /app/prod/db/url:3 rollback`
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		sel, err := params.ParseSelector(args[0])
		if err != nil {
			return err
		}
		if sel.Label != "" {
			return cmdutil.FlagErrorf("%s: give NAME or NAME:VERSION, not a label", args[0])
		}
		if remove && sel.Version == 0 {
			return cmdutil.FlagErrorf("unlabel needs the version: NAME:VERSION")
		}
		for _, l := range args[1:] {
			if err := params.ValidateLabel(l); err != nil {
				return err
			}
		}
		if !remove && len(args[1:]) > params.BatchSize {
			return cmdutil.FlagErrorf("%d labels: a version carries at most %d", len(args)-1, params.BatchSize)
		}
		opts.Selector, opts.Labels = sel, args[1:]
		if runF != nil {
			return runF(opts)
		}
		return labelRun(cmd.Context(), opts)
	}
	cmd.ValidArgsFunction = completeParams(f, false)
	return cmd
}

// labelView is what label and unlabel print.
type labelView struct {
	Name          string   `json:"name"`
	Version       int64    `json:"version"`
	Labels        []string `json:"labels"`
	InvalidLabels []string `json:"invalidLabels"`
}

func labelRun(ctx context.Context, opts *LabelOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	v := labelView{Name: opts.Selector.Name, Version: opts.Selector.Version, InvalidLabels: []string{}}
	if opts.Remove {
		removed, invalid, err := c.Unlabel(ctx, opts.Selector.Name, opts.Selector.Version, opts.Labels)
		if err != nil {
			return err
		}
		v.Labels, v.InvalidLabels = nonNil(removed), nonNil(invalid)
	} else {
		version, invalid, err := c.Label(ctx, opts.Selector.Name, opts.Selector.Version, opts.Labels)
		if err != nil {
			return err
		}
		v.Version, v.InvalidLabels = version, nonNil(invalid)
		bad := map[string]bool{}
		for _, l := range invalid {
			bad[l] = true
		}
		v.Labels = []string{}
		for _, l := range opts.Labels {
			if !bad[l] {
				v.Labels = append(v.Labels, l)
			}
		}
	}
	if err := opts.Printer().Print(v, func() output.Table {
		return output.Table{Headers: []string{"NAME", "VERSION", "LABELS"}, Rows: [][]string{{v.Name, strconv.FormatInt(v.Version, 10), strings.Join(v.Labels, ",")}}}
	}); err != nil {
		return err
	}
	if len(v.InvalidLabels) > 0 {
		what := "not attached (AWS refused them)"
		if opts.Remove {
			what = "not on that version"
		}
		return exitcode.New(exitcode.AWS, "labels %s: %s", what, strings.Join(v.InvalidLabels, ", "))
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
