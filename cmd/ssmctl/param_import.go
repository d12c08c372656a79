package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// --- import ---

type paramImportOptions struct {
	f         *factory
	client    func(ctx context.Context) (*params.Client, error)
	File      string
	Format    string
	Prefix    string
	Type      string
	Overwrite bool
	DryRun    bool
	entries   []params.Entry
}

func newParamImportCmd(f *factory, runF func(*paramImportOptions) error) *cobra.Command {
	opts := &paramImportOptions{f: f, client: paramsClient(f)}
	cmd := &cobra.Command{
		Use:   "import FILE|- --prefix PATH",
		Short: "Create or update parameters from a dotenv, env, json, yaml or tfvars file",
		Long: `Write every key of FILE (or stdin with -) as a parameter under --prefix:
key db/url becomes PREFIX/db/url, DB_URL becomes PREFIX/DB_URL. The format
comes from --format or the file's extension (.env, .sh, .json, .yaml,
.yml, .tfvars; stdin defaults to dotenv); json and yaml take an object of
strings, nested objects joined with /.

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
			return paramImportRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Prefix, "prefix", "", "`path` to put the keys under (required)")
	fl.StringVar(&opts.Format, "format", "", "file `format`: "+strings.Join(params.Formats, ", ")+" (default: from the extension)")
	fl.StringVar(&opts.Type, "type", "", "`type` of the parameters: String (default for new), StringList, SecureString")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "update parameters that exist with other values")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be created, updated or left unchanged")
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

func (o *paramImportOptions) complete() error {
	if o.Prefix == "" {
		return usageErr(fmt.Errorf("--prefix is required: the path to put the keys under"))
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
	var data []byte
	if o.File == "-" {
		data, err = io.ReadAll(o.f.streams.In)
	} else {
		data, err = os.ReadFile(o.File)
	}
	if err != nil {
		return usageErr(fmt.Errorf("read %s: %w", o.File, err))
	}
	entries, err := params.Decode(o.Format, data)
	if err != nil {
		return exitcode.Usagef("%s: %s", o.File, exitcode.Message(err))
	}
	if len(entries) == 0 {
		return usageErr(fmt.Errorf("%s: no keys", o.File))
	}
	for _, e := range entries {
		p := params.Put{Name: params.Join(o.Prefix, e.Key), Value: e.Value, Type: o.Type}
		if err := p.Validate(); err != nil {
			return exitcode.Usagef("key %q: %s", e.Key, exitcode.Message(err))
		}
	}
	o.entries = entries
	return nil
}

func paramImportRun(ctx context.Context, opts *paramImportOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Reading parameters under " + opts.Prefix)
	items, err := c.PlanImport(ctx, opts.entries, params.ImportOptions{Prefix: opts.Prefix, Type: opts.Type, Overwrite: opts.Overwrite})
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	if opts.DryRun {
		return printWrites(f, planViews(items))
	}
	if err := refuseUpdates(items, opts.Overwrite); err != nil {
		return err
	}
	views, werr := applyPlan(ctx, f, c, items, "Importing")
	if err := printWrites(f, views); err != nil {
		return err
	}
	return werr
}
