package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// --- rm ---

type paramRmOptions struct {
	f         *factory
	client    func(ctx context.Context) (*params.Client, error)
	Names     []string
	Recursive bool
	Yes       bool
}

func newParamRmCmd(f *factory, runF func(*paramRmOptions) error) *cobra.Command {
	opts := &paramRmOptions{f: f, client: paramsClient(f)}
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
					return usageErr(fmt.Errorf("rm -r takes one PATH"))
				}
				p, err := params.ValidatePath(args[0])
				if err != nil {
					return err
				}
				if p == "/" {
					return usageErr(fmt.Errorf("refusing to delete every parameter: give a path below /"))
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
			if !opts.Yes && !f.streams.CanPrompt() {
				return usageErr(fmt.Errorf("refusing to delete without --yes when not on a terminal"))
			}
			if runF != nil {
				return runF(opts)
			}
			return paramRmRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "delete every parameter under PATH")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func confirm(f *factory, question string) (bool, error) {
	fmt.Fprintf(f.streams.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(f.streams.In).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

func paramRmRun(ctx context.Context, opts *paramRmOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
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
			f.streams.Infof("No parameters under %s.", opts.Names[0])
			return nil
		}
	}
	if !opts.Yes {
		q := fmt.Sprintf("Delete %s?", names[0])
		if len(names) > 1 {
			q = fmt.Sprintf("Delete %d parameters (%s)?", len(names), fewNames(names))
		}
		ok, err := confirm(f, q)
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was deleted")
		}
	}
	var st params.Stats
	f.streams.StartProgress(fmt.Sprintf("Deleting: 0/%d", len(names)))
	deleted, missing, err := c.Delete(ctx, names, &st, func(done int) {
		f.streams.UpdateProgress(fmt.Sprintf("Deleting: %d/%d", done, len(names)))
	})
	f.streams.StopProgress()
	views := make([]writeView, 0, len(names))
	for _, n := range deleted {
		views = append(views, writeView{Name: n, Action: string(params.Delete)})
	}
	if perr := printWrites(f, views); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	f.streams.Infof("%d deleted", len(deleted))
	if len(missing) > 0 {
		for _, m := range missing {
			fmt.Fprintf(f.streams.ErrOut, "ssmctl: parameter not found: %s\n", m)
		}
		return exitcode.Silent(exitcode.AWS)
	}
	return nil
}
