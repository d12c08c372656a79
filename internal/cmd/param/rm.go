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

// RmOptions is what param rm uses.
type RmOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	Names     []string
	Recursive bool
	Yes       bool
}

// NewCmdRm is `ssmctl param rm`.
func NewCmdRm(f *cmdutil.Factory, runF func(*RmOptions) error) *cobra.Command {
	opts := &RmOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "rm NAME... | rm -r PATH",
		Short: "Delete parameters, or everything under a path",
		Long: `Delete parameters by name, or with -r every parameter under PATH, 10 per
DeleteParameters call, paced so throttling never fails the run.

On a terminal ssmctl asks first; without a terminal --yes is required
(exit 252 otherwise). Names that do not exist are listed on stderr and
the command exits 254.`,
		Example: `  ssmctl param rm /app/dev/old-flag
  ssmctl param rm -r /app/dev --yes`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Recursive {
				if len(args) != 1 {
					return cmdutil.FlagErrorf("rm -r takes one PATH")
				}
				p, err := params.ValidatePath(args[0])
				if err != nil {
					return err
				}
				if p == "/" {
					return cmdutil.FlagErrorf("refusing to delete every parameter: give a path below /")
				}
				opts.Names = []string{p}
			} else {
				for _, n := range args {
					if err := params.ValidateName(n); err != nil {
						return err
					}
				}
				opts.Names = args
			}
			if err := cmdutil.NeedYes(opts.IO, opts.Yes, "delete"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return rmRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "delete every parameter under PATH")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func rmRun(ctx context.Context, opts *RmOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	names := opts.Names
	if opts.Recursive {
		md, err := c.Describe(ctx, opts.Names[0], true)
		if err != nil {
			return err
		}
		names = nil
		for _, m := range md {
			names = append(names, m.Name)
		}
		if len(names) == 0 {
			opts.IO.Infof("No parameters under %s.", opts.Names[0])
			return nil
		}
	}
	if !opts.Yes {
		q := fmt.Sprintf("Delete %s?", names[0])
		if len(names) > 1 {
			q = fmt.Sprintf("Delete %d parameters (%s)?", len(names), output.FewNames(names))
		}
		ok, err := cmdutil.Confirm(opts.IO, q)
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was deleted")
		}
	}
	var st params.Stats
	opts.IO.StartProgress(fmt.Sprintf("Deleting: 0/%d", len(names)))
	deleted, missing, err := c.Delete(ctx, names, &st, func(done int) {
		opts.IO.UpdateProgress(fmt.Sprintf("Deleting: %d/%d", done, len(names)))
	})
	opts.IO.StopProgress()
	views := make([]writeView, 0, len(names))
	for _, n := range deleted {
		views = append(views, writeView{Name: n, Action: string(params.Delete)})
	}
	if perr := printWrites(opts.Printer(), views); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	opts.IO.Infof("%d deleted", len(deleted))
	return notFound("DeleteParameters", missing)
}
