package param

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// CpOptions is what param cp uses.
type CpOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	// DstClient writes the copies: Client's, or another profile's or
	// region's with --to-profile and --to-region.
	DstClient func(ctx context.Context) (*params.Client, error)

	Move      bool
	Src, Dst  string
	Recursive bool
	ToRegion  string
	ToProfile string
	Overwrite bool
	DryRun    bool
	Yes       bool
}

// NewCmdCp is `ssmctl param cp`.
func NewCmdCp(f *cmdutil.Factory, runF func(*CpOptions) error, move bool) *cobra.Command {
	opts := &CpOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Params, Move: move}
	opts.DstClient = func(ctx context.Context) (*params.Client, error) {
		return f.ClientsFor(opts.ToProfile, opts.ToRegion).Params(ctx)
	}
	cmd := &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy a parameter, or a path with -r, possibly to another region or account",
		Long: `Copy a parameter (SRC may be NAME:VERSION or NAME:LABEL) to DST, or with -r
every parameter under the path SRC to the same keys under DST.

A copy keeps the type, tier (Advanced stays Advanced), description,
allowed pattern, data type, policies and, within one account and region,
the KMS key; in another region or account a SecureString gets the
destination's AWS managed key, and ssmctl says so. Tags are not copied.
--to-region and --to-profile write with a second client.

Existing destination parameters with other values are an error unless
--overwrite is given; nothing is written then. --dry-run lists what would
be created, updated or left unchanged.`,
		Example: `  ssmctl param cp /app/prod/db/url /app/staging/db/url
  ssmctl param cp -r /app/prod /app/staging --overwrite
  ssmctl param cp -r /app/prod /app/prod --to-region eu-west-1`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Src, opts.Dst = args[0], args[1]
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cpRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	if move {
		cmd.Use = "mv SRC DST"
		cmd.Short = "Move a parameter, or a path with -r (copy, then delete the source)"
		cmd.Long = `Move a parameter, or with -r every parameter under SRC: copy as 'param cp'
does, then delete each source whose copy succeeded. Like rm, it asks on a
terminal and needs --yes otherwise.`
		cmd.Example = `  ssmctl param mv /app/old-name /app/new-name
  ssmctl param mv -r /app/v1 /app/v2 --yes`
		cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before deleting the sources")
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "SRC and DST are paths: copy everything under SRC")
	fl.StringVar(&opts.ToRegion, "to-region", "", "write to this `region`")
	fl.StringVar(&opts.ToProfile, "to-profile", "", "write with this AWS `profile` (another account)")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "replace destination parameters that have other values")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be created, updated or left unchanged")
	return cmd
}

func (o *CpOptions) validate() error {
	if o.Recursive {
		src, err := params.ValidatePath(o.Src)
		if err != nil {
			return err
		}
		dst, err := params.ValidatePath(o.Dst)
		if err != nil {
			return err
		}
		o.Src, o.Dst = src, dst
		if dst == "/" {
			return cmdutil.FlagErrorf("copying to / is not allowed: give a destination path")
		}
	} else {
		sel, err := params.ParseSelector(o.Src)
		if err != nil {
			return err
		}
		if o.Move && (sel.Version > 0 || sel.Label != "") {
			return cmdutil.FlagErrorf("mv moves a whole parameter: give SRC without :VERSION or :LABEL")
		}
		if err := params.ValidateWriteName(o.Dst); err != nil {
			return err
		}
	}
	if o.Src == o.Dst && o.ToRegion == "" && o.ToProfile == "" {
		return cmdutil.FlagErrorf("source and destination are the same")
	}
	if o.Move && !o.DryRun {
		return cmdutil.NeedYes(o.IO, o.Yes, "delete the sources")
	}
	return nil
}

func cpRun(ctx context.Context, opts *CpOptions) error {
	src, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	dst, err := opts.DstClient(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading parameters")
	plan, err := params.PlanCopyBetween(ctx, src, dst, params.CopyOptions{
		Src: opts.Src, Dst: opts.Dst, Path: opts.Recursive, Overwrite: opts.Overwrite,
		SameKeys: opts.ToRegion == "" && opts.ToProfile == "",
	})
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	if len(plan.Sources) == 0 {
		opts.IO.Infof("No parameters under %s.", opts.Src)
		return nil
	}
	for _, n := range plan.Notes {
		opts.IO.Warnf("%s", n)
	}
	if opts.DryRun {
		return printWrites(opts.Printer(), planViews(plan.Items))
	}
	if err := refuseUpdates(plan.Items, opts.Overwrite); err != nil {
		return err
	}
	if !opts.Move {
		views, werr := applyPlan(opts.IO, plan.Items, "Copying", func(st *params.Stats, progress func(done, failed int)) []params.WriteResult {
			return plan.Copy(ctx, st, progress)
		})
		return printWritesThen(opts.Printer(), views, werr)
	}
	if !opts.Yes {
		ok, err := cmdutil.Confirm(opts.IO, fmt.Sprintf("Move %d parameters (%s) to %s, deleting the sources?", len(plan.Items), output.FewNames(plan.SourceNames()), opts.Dst))
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was copied or deleted")
		}
	}
	var deleted []string
	var derr error
	views, werr := applyPlan(opts.IO, plan.Items, "Moving", func(st *params.Stats, progress func(done, failed int)) []params.WriteResult {
		var results []params.WriteResult
		results, deleted, derr = plan.Move(ctx, st, progress)
		return results
	})
	for _, n := range deleted {
		views = append(views, writeView{Name: n, Action: string(params.Delete)})
	}
	if werr == nil {
		werr = derr
	}
	return printWritesThen(opts.Printer(), views, werr)
}
