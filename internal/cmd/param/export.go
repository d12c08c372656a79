package param

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// ExportOptions is what param export uses.
type ExportOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*params.Client, error)

	Path       string
	Recursive  bool
	Format     string
	Decrypt    bool
	SkipSecure bool
	AllowEmpty bool
	File       string
}

// NewCmdExport is `ssmctl param export`.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IO, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "export PATH",
		Short: "Write the parameters under a path as dotenv, env, json, yaml or tfvars",
		Long: `Write the parameters under PATH (one level, every level with -r) as a file
an application or tool reads. Keys are relative to PATH: db/url in json and
yaml, DB_URL in dotenv and env (upper-snake: letters upper-cased, / - .
become _), db_url in tfvars. Two keys that map to one name: the later (in
name order) wins, with a warning.

A PATH with no parameters (a typo, or only deeper levels without -r) is
an error, exit 254 naming it, and nothing is written, unless --allow-empty
is given.

SecureString values are exported only with --decrypt. Without it, export
refuses (exit 252) when the path holds any, unless --skip-secure leaves them
out. -f FILE replaces a regular file atomically (through a symlink, keeping
its mode; a new file gets mode 0600) and writes through anything else: a
FIFO, a device, /dev/stdout, /dev/fd/N.

Quoting: dotenv writes KEY='value' (literal), or KEY="..." with \\ \" \n \r
\$ escapes when the value holds a quote or newline; env writes POSIX shell
export KEY='value' lines; tfvars writes HCL strings. See docs/params.md.`,
		Example: `  ssmctl param export /app/prod --format dotenv --decrypt -f .env
  eval "$(ssmctl param export /app/prod --format env --decrypt)"
  ssmctl param export /app -r --format json --skip-secure`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := params.ValidatePath(args[0])
			if err != nil {
				return err
			}
			opts.Path = p
			if opts.Format, err = params.NormalizeFormat(opts.Format); err != nil {
				return err
			}
			if opts.Decrypt && opts.SkipSecure {
				return cmdutil.FlagErrorf("--decrypt and --skip-secure contradict each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "every level under PATH")
	fl.StringVar(&opts.Format, "format", "dotenv", "file `format`: "+strings.Join(params.Formats, ", "))
	fl.BoolVar(&opts.Decrypt, "decrypt", false, "export SecureString values decrypted")
	fl.BoolVar(&opts.SkipSecure, "skip-secure", false, "leave SecureString parameters out")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "export an empty file when PATH holds no parameters")
	fl.StringVarP(&opts.File, "file", "f", "", "write to `FILE` (a new file gets mode 0600) instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(params.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func exportRun(ctx context.Context, opts *ExportOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading parameters")
	ps, err := c.ByPath(ctx, opts.Path, opts.Recursive, opts.Decrypt)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	if len(ps) == 0 && !opts.AllowEmpty {
		return params.NothingUnder([]string{opts.Path}, opts.Recursive, "--allow-empty exports an empty file")
	}
	var entries []params.Entry
	var secure []string
	for _, p := range ps {
		if p.Secure() && !opts.Decrypt {
			secure = append(secure, p.Name)
			continue
		}
		entries = append(entries, params.Entry{Key: params.Relative(opts.Path, p.Name), Value: p.Value})
	}
	if len(secure) > 0 {
		if !opts.SkipSecure {
			return exitcode.New(exitcode.Usage, "%d SecureString parameters under %s (%s): add --decrypt to export their values or --skip-secure to leave them out", len(secure), opts.Path, output.FewNames(secure))
		}
		opts.IO.Infof("Left out %d SecureString parameters (%s).", len(secure), output.FewNames(secure))
	}
	keyed, coll := params.MapKeys(opts.Format, entries)
	for _, c := range coll {
		opts.IO.Warnf("%s and %s both map to %s; %s wins", c.Replaced, c.Kept, c.Key, c.Kept)
	}
	data, err := params.Encode(opts.Format, keyed)
	if err != nil {
		return err
	}
	if opts.File == "" || opts.File == "-" {
		if _, err := opts.IO.Out.Write(data); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	// A new file is 0600 from the first byte: it may hold secrets.
	if err := cmdutil.WriteFile(ctx, opts.File, data, 0o600); err != nil {
		if ctx.Err() != nil {
			return err // interrupted while a FIFO waited for its reader
		}
		return exitcode.Wrap(exitcode.Other, cmdutil.FileError(opts.File, err))
	}
	opts.IO.Infof("Wrote %s to %s.", output.Count(len(keyed), "parameter"), opts.File)
	return nil
}
