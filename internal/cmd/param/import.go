package param

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// ImportOptions is what param import uses.
type ImportOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*params.Client, error)

	File      string
	Format    string
	Prefix    string
	Type      string
	Overwrite bool
	DryRun    bool
	Strict    bool
	// Entries are the keys and values read from File.
	Entries []params.Entry
}

// NewCmdImport is `ssmctl param import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "import FILE|- --prefix PATH",
		Short: "Create or update parameters from a dotenv, env, json, yaml or tfvars file",
		Long: `Write every key of FILE (or stdin with -) as a parameter under --prefix:
key db/url becomes PREFIX/db/url, DB_URL becomes PREFIX/DB_URL. The format
comes from --format or the file's extension (.env, .sh, .json, .yaml,
.yml, .tfvars; stdin defaults to dotenv); json and yaml take an object of
strings, nested objects joined with /.

Values are imported as written or not at all: numbers keep their text
(010, 1.10), a list of scalars becomes StringList text (a,b); a list
holding objects, lists or null, or a value that is not UTF-8 text, is
refused (exit 252, naming the key). A key with an empty value (KEY=, "",
null) is skipped with a warning, since Parameter Store cannot hold an
empty value, and the rest is imported; --strict refuses the file instead.
See docs/params.md.

The parameters under the prefix are read first: keys with the same value
and type are left alone, new ones are created (Overwrite=false, so a
retried create is never a second version), and ones with other values are
updated only with --overwrite (otherwise nothing is written). --dry-run
lists create, update and unchanged without writing. New parameters are
String unless --type says otherwise.

Writes run concurrently, paced by a rate limiter that adapts to throttling;
throttling never fails an import.`,
		Example: `  ssmctl param import .env --prefix /app/dev --dry-run
  ssmctl param import secrets.yaml --prefix /app/prod --type SecureString --overwrite
  ssmctl param export /app/prod -r --format json --decrypt | ssmctl param import - --format json --prefix /app/copy`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Prefix, "prefix", "", "`path` to put the keys under (required)")
	fl.StringVar(&opts.Format, "format", "", "file `format`: "+strings.Join(params.Formats, ", ")+" (default: from the extension)")
	fl.StringVar(&opts.Type, "type", "", "`type` of the parameters: String (default for new), StringList, SecureString")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "update parameters that exist with other values")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be created, updated or left unchanged")
	fl.BoolVar(&opts.Strict, "strict", false, "refuse the file (exit 252, nothing written) when a key has an empty value, instead of skipping it")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(params.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(params.Types, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// formatFromExt guesses a file's format from its extension.
func formatFromExt(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".tfvars":
		return "tfvars"
	case ".sh":
		return "env"
	}
	return "dotenv"
}

func (o *ImportOptions) complete() error {
	if o.Prefix == "" {
		return cmdutil.FlagErrorf("--prefix is required: the path to put the keys under")
	}
	prefix, err := params.ValidatePath(o.Prefix)
	if err != nil {
		return err
	}
	o.Prefix = prefix
	if o.Format == "" {
		o.Format = "dotenv"
		if o.File != "-" {
			o.Format = formatFromExt(o.File)
		}
	}
	if o.Format, err = params.NormalizeFormat(o.Format); err != nil {
		return err
	}
	if o.Type != "" {
		if o.Type, err = params.NormalizeType(o.Type); err != nil {
			return err
		}
	}
	data, err := cmdutil.ReadFileOrStdin(o.File, o.IO.In)
	if err != nil {
		return cmdutil.FlagErrorf("read %s: %w", o.File, err)
	}
	decoded, err := params.Decode(o.Format, data)
	if err != nil {
		return cmdutil.FlagErrorf("%s: %s", o.File, exitcode.Message(err))
	}
	if len(decoded) == 0 {
		return cmdutil.FlagErrorf("%s: no keys", o.File)
	}
	// Parameter Store cannot hold an empty value: such keys are left out,
	// each with a warning, and the rest imported; --strict refuses the file.
	var entries []params.Entry
	var empty []string
	for _, e := range decoded {
		if e.Value == "" {
			empty = append(empty, e.Key)
			continue
		}
		entries = append(entries, e)
	}
	if len(empty) > 0 && o.Strict {
		return exitcode.New(exitcode.Usage, "%s: empty values, which Parameter Store cannot hold, for %s; nothing was imported (without --strict they are skipped)", o.File, strings.Join(empty, ", "))
	}
	for _, k := range empty {
		o.IO.Warnf("skipped %s: its value is empty, and Parameter Store cannot hold an empty value", k)
	}
	if len(entries) == 0 {
		return exitcode.New(exitcode.Usage, "%s: every value is empty; nothing to import", o.File)
	}
	for _, e := range entries {
		p := params.Put{Name: params.Join(o.Prefix, e.Key), Value: e.Value, Type: o.Type}
		if err := p.Validate(); err != nil {
			return cmdutil.FlagErrorf("key %q: %s", e.Key, exitcode.Message(err))
		}
	}
	o.Entries = entries
	return nil
}

func importRun(ctx context.Context, opts *ImportOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Reading parameters under " + opts.Prefix)
	items, err := c.PlanImport(ctx, opts.Entries, params.ImportOptions{Prefix: opts.Prefix, Type: opts.Type, Overwrite: opts.Overwrite})
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	if opts.DryRun {
		return printWrites(opts.Printer(), planViews(items))
	}
	if err := refuseUpdates(items, opts.Overwrite); err != nil {
		return err
	}
	views, werr := applyPlan(opts.IO, items, "Importing", func(st *params.Stats, progress func(done, failed int)) []params.WriteResult {
		return c.Apply(ctx, items, st, progress)
	})
	return printWritesThen(opts.Printer(), views, werr)
}
