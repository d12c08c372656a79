package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// writeView is one parameter of an import, cp, mv or rm: what was (or, in
// a dry run, would be) done.
type writeView struct {
	Name     string `json:"name"`
	Action   string `json:"action"`
	Version  int64  `json:"version,omitempty"`
	Verified bool   `json:"verified,omitempty"`
	Error    string `json:"error,omitempty"`
}

func printWrites(f *factory, views []writeView) error {
	anyFailed := false
	for _, v := range views {
		anyFailed = anyFailed || v.Error != ""
	}
	return f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "ACTION", "VERSION"}, NoTruncate: []int{0, 1}}
		if anyFailed {
			t.Headers = append(t.Headers, "ERROR")
		}
		for _, v := range views {
			ver := ""
			if v.Version > 0 {
				ver = strconv.FormatInt(v.Version, 10)
			}
			row := []string{v.Name, v.Action, ver}
			if anyFailed {
				row = append(row, v.Error)
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
}

// applyPlan writes a plan with a progress line and returns the views, a
// summary for stderr and the error for the exit code.
func applyPlan(ctx context.Context, f *factory, c *params.Client, items []params.PlanItem, verb string) ([]writeView, error) {
	var st params.Stats
	total := 0
	for _, it := range items {
		if it.Action != params.Unchanged {
			total++
		}
	}
	f.streams.StartProgress(fmt.Sprintf("%s: 0/%d done", verb, total))
	results := c.Apply(ctx, items, &st, func(done, failed int) {
		label := fmt.Sprintf("%s: %d/%d done", verb, done, total)
		if failed > 0 {
			label += fmt.Sprintf(", %d failed", failed)
		}
		f.streams.UpdateProgress(label)
	})
	f.streams.StopProgress()
	counts := map[params.Action]int{}
	failed := 0
	views := make([]writeView, 0, len(results))
	var firstErr error
	for _, r := range results {
		v := writeView{Name: r.Name, Action: string(r.Action), Version: r.Version, Verified: r.Verified}
		if r.Err != nil {
			failed++
			v.Error = exitcode.Message(r.Err)
			if !strings.HasPrefix(v.Error, r.Name) {
				v.Error = r.Name + ": " + v.Error
			}
			fmt.Fprintf(f.streams.ErrOut, "ssmctl: %s\n", v.Error)
			if firstErr == nil {
				firstErr = r.Err
			}
		} else {
			counts[r.Action]++
		}
		views = append(views, v)
	}
	summary := fmt.Sprintf("%d created, %d updated, %d unchanged, %d failed", counts[params.Create], counts[params.Update], counts[params.Unchanged], failed)
	if n := st.Throttled.Load(); n > 0 {
		summary += fmt.Sprintf(" (%d throttled calls retried)", n)
	}
	f.streams.Infof("%s", summary)
	if failed > 0 {
		if errors.Is(firstErr, context.Canceled) {
			return views, firstErr
		}
		code := exitcode.Code(firstErr)
		if code == exitcode.OK || code == exitcode.Other {
			code = exitcode.AWS
		}
		return views, exitcode.Silent(code)
	}
	return views, nil
}

func planViews(items []params.PlanItem) []writeView {
	views := make([]writeView, 0, len(items))
	for _, it := range items {
		views = append(views, writeView{Name: it.Name, Action: string(it.Action), Version: it.OldVersion})
	}
	return views
}

// refuseUpdates fails a plan that would change existing parameters
// without --overwrite, before anything is written.
func refuseUpdates(items []params.PlanItem, overwrite bool) error {
	if overwrite {
		return nil
	}
	var names []string
	for _, it := range items {
		if it.Action == params.Update {
			names = append(names, it.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return exitcode.New(exitcode.AWS, "%d parameters exist with other values (%s): nothing was written; pass --overwrite to replace them", len(names), fewNames(names))
}

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

// --- cp / mv ---

type paramCpOptions struct {
	f         *factory
	client    func(ctx context.Context) (*params.Client, error)
	dstClient func(ctx context.Context) (*params.Client, error)
	Move      bool
	Src, Dst  string
	Recursive bool
	ToRegion  string
	ToProfile string
	Overwrite bool
	DryRun    bool
	Yes       bool
}

func newParamCpCmd(f *factory, runF func(*paramCpOptions) error, move bool) *cobra.Command {
	opts := &paramCpOptions{f: f, client: paramsClient(f), Move: move}
	opts.dstClient = func(ctx context.Context) (*params.Client, error) {
		if opts.ToRegion == "" && opts.ToProfile == "" {
			return opts.client(ctx)
		}
		cfg, err := f.awsConfigFor(ctx, opts.ToProfile, opts.ToRegion)
		if err != nil {
			return nil, err
		}
		return &params.Client{API: ssm.NewFromConfig(cfg)}, nil
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
			return paramCpRun(cmd.Context(), opts)
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

func (o *paramCpOptions) validate() error {
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
			return usageErr(fmt.Errorf("copying to / is not allowed: give a destination path"))
		}
	} else {
		sel, err := params.ParseSelector(o.Src)
		if err != nil {
			return err
		}
		if o.Move && (sel.Version > 0 || sel.Label != "") {
			return usageErr(fmt.Errorf("mv moves a whole parameter: give SRC without :VERSION or :LABEL"))
		}
		if err := params.ValidateWriteName(o.Dst); err != nil {
			return err
		}
	}
	if o.Src == o.Dst && o.ToRegion == "" && o.ToProfile == "" {
		return usageErr(fmt.Errorf("source and destination are the same"))
	}
	if o.Move && !o.DryRun && !o.Yes && !o.f.streams.CanPrompt() {
		return usageErr(fmt.Errorf("refusing to delete the sources without --yes when not on a terminal"))
	}
	return nil
}

func paramCpRun(ctx context.Context, opts *paramCpOptions) error {
	f := opts.f
	src, err := opts.client(ctx)
	if err != nil {
		return err
	}
	dst, err := opts.dstClient(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Reading parameters")
	sources, err := src.ReadSources(ctx, opts.Src, opts.Recursive, true)
	if err != nil {
		f.streams.StopProgress()
		return err
	}
	existing := map[string]params.Parameter{}
	if opts.Recursive {
		ps, err := dst.ByPath(ctx, opts.Dst, true, true)
		if err != nil {
			f.streams.StopProgress()
			return err
		}
		for _, p := range ps {
			existing[p.Name] = p
		}
	} else {
		found, _, err := dst.Get(ctx, []string{opts.Dst}, true)
		if err != nil {
			f.streams.StopProgress()
			return err
		}
		for _, p := range found {
			existing[p.Name] = p
		}
	}
	f.streams.StopProgress()
	if len(sources) == 0 {
		f.streams.Infof("No parameters under %s.", opts.Src)
		return nil
	}
	items, notes := params.PlanCopy(sources, existing, params.CopyOptions{
		Src: opts.Src, Dst: opts.Dst, Path: opts.Recursive, Overwrite: opts.Overwrite,
		SameKeys: opts.ToRegion == "" && opts.ToProfile == "",
	})
	for _, n := range notes {
		f.streams.Warnf("%s", n)
	}
	if opts.DryRun {
		return printWrites(f, planViews(items))
	}
	if err := refuseUpdates(items, opts.Overwrite); err != nil {
		return err
	}
	if opts.Move && !opts.Yes {
		ok, err := confirm(f, fmt.Sprintf("Move %d parameters (%s) to %s, deleting the sources?", len(items), fewNames(sourceNames(sources)), opts.Dst))
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was copied or deleted")
		}
	}
	verb := "Copying"
	if opts.Move {
		verb = "Moving"
	}
	views, werr := applyPlan(ctx, f, dst, items, verb)
	if opts.Move {
		// Delete the sources whose copies are in place.
		byDst := map[string]string{}
		for _, it := range items {
			byDst[it.Name] = it.Key
		}
		var del []string
		for _, v := range views {
			if v.Error == "" {
				del = append(del, byDst[v.Name])
			}
		}
		if len(del) > 0 {
			deleted, _, err := src.Delete(ctx, del, nil, nil)
			for _, n := range deleted {
				views = append(views, writeView{Name: n, Action: string(params.Delete)})
			}
			if err != nil && werr == nil {
				werr = err
			}
		}
	}
	if err := printWrites(f, views); err != nil {
		return err
	}
	return werr
}

func sourceNames(s []params.Source) []string {
	out := make([]string, len(s))
	for i, p := range s {
		out[i] = p.Name
	}
	return out
}

// --- export ---

type paramExportOptions struct {
	f          *factory
	client     func(ctx context.Context) (*params.Client, error)
	Path       string
	Recursive  bool
	Format     string
	Decrypt    bool
	SkipSecure bool
	File       string
}

func newParamExportCmd(f *factory, runF func(*paramExportOptions) error) *cobra.Command {
	opts := &paramExportOptions{f: f, client: paramsClient(f)}
	cmd := &cobra.Command{
		Use:   "export PATH",
		Short: "Write the parameters under a path as dotenv, env, json, yaml or tfvars",
		Long: `Write the parameters under PATH (one level, every level with -r) as a file
an application or tool reads. Keys are relative to PATH: db/url in json and
yaml, DB_URL in dotenv and env (upper-snake: letters upper-cased, / - .
become _), db_url in tfvars. Two keys that map to one name: the later (in
name order) wins, with a warning.

SecureString values are exported only with --decrypt. Without it, export
refuses (exit 252) when the path holds any, unless --skip-secure leaves them
out. -f FILE writes the file with mode 0600, replacing it atomically.

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
				return usageErr(fmt.Errorf("--decrypt and --skip-secure contradict each other"))
			}
			if runF != nil {
				return runF(opts)
			}
			return paramExportRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "every level under PATH")
	fl.StringVar(&opts.Format, "format", "dotenv", "file `format`: "+strings.Join(params.Formats, ", "))
	fl.BoolVar(&opts.Decrypt, "decrypt", false, "export SecureString values decrypted")
	fl.BoolVar(&opts.SkipSecure, "skip-secure", false, "leave SecureString parameters out")
	fl.StringVarP(&opts.File, "file", "f", "", "write to `FILE` (mode 0600) instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(params.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func paramExportRun(ctx context.Context, opts *paramExportOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Reading parameters")
	ps, err := c.ByPath(ctx, opts.Path, opts.Recursive, opts.Decrypt)
	f.streams.StopProgress()
	if err != nil {
		return err
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
			return exitcode.New(exitcode.Usage, "%d SecureString parameters under %s (%s): add --decrypt to export their values or --skip-secure to leave them out", len(secure), opts.Path, fewNames(secure))
		}
		f.streams.Infof("Left out %d SecureString parameters (%s).", len(secure), fewNames(secure))
	}
	keyed, coll := params.MapKeys(opts.Format, entries)
	for _, c := range coll {
		f.streams.Warnf("%s and %s both map to %s; %s wins", c.Replaced, c.Kept, c.Key, c.Kept)
	}
	data, err := params.Encode(opts.Format, keyed)
	if err != nil {
		return err
	}
	if opts.File == "" || opts.File == "-" {
		if _, err := f.streams.Out.Write(data); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	// Mode 0600 from the first byte: the file may hold secrets.
	if err := writeFileAtomic(opts.File, data, 0o600); err != nil {
		return exitcode.Wrap(exitcode.Other, fmt.Errorf("write %s: %w", opts.File, err))
	}
	f.streams.Infof("Wrote %d parameters to %s.", len(keyed), opts.File)
	return nil
}

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

// --- diff ---

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

type paramDiffOptions struct {
	f            *factory
	client       func(ctx context.Context) (*params.Client, error)
	PathA, PathB string
	Values       bool
	Decrypt      bool
}

func newParamDiffCmd(f *factory, runF func(*paramDiffOptions) error) *cobra.Command {
	opts := &paramDiffOptions{f: f, client: paramsClient(f)}
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
				return usageErr(errDecryptNeedsValues)
			}
			if runF != nil {
				return runF(opts)
			}
			return paramDiffRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVar(&opts.Values, "values", false, "show the values that differ")
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "show SecureString values decrypted (with --values)")
	return cmd
}

func paramDiffRun(ctx context.Context, opts *paramDiffOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
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
	err = f.printer.Print(views, func() output.Table {
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
