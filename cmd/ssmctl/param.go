package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// masked stands for a SecureString value that was not decrypted.
const masked = "********"

// parameterView is one parameter with its value, as get prints it. The
// JSON names are a stable contract (docs/params.md).
type parameterView struct {
	Name         string     `json:"name"`
	Selector     string     `json:"selector"`
	Type         string     `json:"type"`
	Value        string     `json:"value"`
	Version      int64      `json:"version"`
	DataType     string     `json:"dataType"`
	LastModified *time.Time `json:"lastModified,omitempty"`
	ARN          string     `json:"arn"`
}

func newParameterView(p params.Parameter) parameterView {
	return parameterView{Name: p.Name, Selector: p.Selector, Type: p.Type, Value: p.Value, Version: p.Version,
		DataType: p.DataType, LastModified: timePtr(p.LastModified), ARN: p.ARN}
}

// metadataView is one parameter without its value, as ls prints it.
type metadataView struct {
	Name             string           `json:"name"`
	Type             string           `json:"type"`
	Tier             string           `json:"tier"`
	Version          int64            `json:"version"`
	LastModified     *time.Time       `json:"lastModified,omitempty"`
	LastModifiedUser string           `json:"lastModifiedUser"`
	DataType         string           `json:"dataType"`
	KeyID            string           `json:"keyId,omitempty"`
	Description      string           `json:"description,omitempty"`
	AllowedPattern   string           `json:"allowedPattern,omitempty"`
	Policies         []string         `json:"policies,omitempty"`
	Labels           map[string]int64 `json:"labels,omitempty"`
}

func newMetadataView(m params.Metadata) metadataView {
	return metadataView{Name: m.Name, Type: m.Type, Tier: m.Tier, Version: m.Version, LastModified: timePtr(m.LastModified),
		LastModifiedUser: m.LastModifiedUser, DataType: m.DataType, KeyID: m.KeyID, Description: m.Description,
		AllowedPattern: m.AllowedPattern, Policies: m.Policies, Labels: m.Labels}
}

// versionView is one version of a parameter, as history prints it.
type versionView struct {
	Name             string     `json:"name"`
	Version          int64      `json:"version"`
	Type             string     `json:"type"`
	Value            string     `json:"value"`
	Tier             string     `json:"tier"`
	Labels           []string   `json:"labels"`
	LastModified     *time.Time `json:"lastModified,omitempty"`
	LastModifiedUser string     `json:"lastModifiedUser"`
	Description      string     `json:"description,omitempty"`
	DataType         string     `json:"dataType"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// paramsClient returns a params client on the command's AWS configuration.
func paramsClient(f *factory) func(ctx context.Context) (*params.Client, error) {
	return func(ctx context.Context) (*params.Client, error) {
		cfg, err := f.awsConfig(ctx)
		if err != nil {
			return nil, err
		}
		return &params.Client{API: ssm.NewFromConfig(cfg)}, nil
	}
}

func newParamCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "param",
		Aliases: []string{"params", "parameter"},
		Short:   "Read and write Parameter Store parameters",
		Long: `Read and write configuration and secrets kept in Parameter Store: single
values, whole hierarchies as trees, versions and labels, bulk import, export,
copy and delete, and environments for a child process.

Names are case sensitive and use a-z A-Z 0-9 _ . - with / between levels
(at most 15 levels, 1,011 characters); names beginning with aws or ssm are
reserved. A selector NAME:VERSION or NAME:LABEL picks a version.

SecureString values are decrypted only with --decrypt (exec always
decrypts: the child needs them). Bulk commands (import, cp, mv, rm -r) pace
their writes to stay under the account's request quota and never fail on
throttling. See docs/params.md.`,
		Example: `  ssmctl param put /app/prod/db/url 'postgres://db:5432/app'
  ssmctl param put /app/prod/db/password --type SecureString --value-file pw.txt
  ssmctl param get /app/prod/db/url /app/prod/db/password --decrypt
  ssmctl param tree /app --values
  ssmctl param export /app/prod -r --format dotenv --decrypt -f .env
  ssmctl param exec /app/common /app/prod -- ./server`,
	}
	cmd.AddCommand(
		newParamGetCmd(f, nil), newParamLsCmd(f, nil), newParamTreeCmd(f, nil), newParamPutCmd(f, nil),
		newParamHistoryCmd(f, nil), newParamLabelCmd(f, nil), newParamUnlabelCmd(f, nil), newParamRmCmd(f, nil),
		newParamCpCmd(f, nil, false), newParamCpCmd(f, nil, true), newParamExportCmd(f, nil), newParamImportCmd(f, nil),
		newParamExecCmd(f, nil), newParamDiffCmd(f, nil),
	)
	return cmd
}

// --- get ---

type paramGetOptions struct {
	f         *factory
	client    func(ctx context.Context) (*params.Client, error)
	Names     []string
	Decrypt   bool
	ValueOnly bool
}

func newParamGetCmd(f *factory, runF func(*paramGetOptions) error) *cobra.Command {
	opts := &paramGetOptions{f: f, client: paramsClient(f)}
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
			return paramGetRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "decrypt SecureString values")
	cmd.Flags().BoolVar(&opts.ValueOnly, "value-only", false, "print only the values, one per line")
	return cmd
}

func paramGetRun(ctx context.Context, opts *paramGetOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
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
				f.streams.Warnf("%s is a SecureString and is shown encrypted; add --decrypt for its value", p.Name)
			}
		}
	}
	if opts.ValueOnly {
		var b strings.Builder
		for _, p := range found {
			b.WriteString(p.Value)
			b.WriteByte('\n')
		}
		if _, err := io.WriteString(f.streams.Out, b.String()); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	} else {
		views := make([]parameterView, 0, len(found))
		for _, p := range found {
			views = append(views, newParameterView(p))
		}
		if err := f.printer.Print(views, func() output.Table {
			t := output.Table{Headers: []string{"NAME", "TYPE", "VERSION", "VALUE"}, NoTruncate: []int{0}}
			for _, v := range views {
				t.Rows = append(t.Rows, []string{v.Selector, v.Type, strconv.FormatInt(v.Version, 10), v.Value})
			}
			return t
		}); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		for _, m := range missing {
			fmt.Fprintf(f.streams.ErrOut, "ssmctl: parameter not found: %s\n", m)
		}
		return exitcode.Silent(exitcode.AWS)
	}
	return nil
}

// --- ls ---

type paramLsOptions struct {
	f         *factory
	client    func(ctx context.Context) (*params.Client, error)
	Path      string
	Recursive bool
	Labels    bool
}

func newParamLsCmd(f *factory, runF func(*paramLsOptions) error) *cobra.Command {
	opts := &paramLsOptions{f: f, client: paramsClient(f)}
	cmd := &cobra.Command{
		Use:   "ls [PATH]",
		Short: "List parameters under a path",
		Long: `List the parameters directly under PATH (every level with -r), without their
values: name, type, tier, version, last modified, modified by and data
type (DescribeParameters with the Path filter). Without PATH, every
parameter of the account and region. --labels reads each parameter's
labels too (one GetParameterHistory call per parameter).`,
		Example: `  ssmctl param ls /app/prod
  ssmctl param ls /app -r --labels
  ssmctl param ls /app -r -o json --query '[?type==` + "`SecureString`" + `].name'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p, err := params.ValidatePath(args[0])
				if err != nil {
					return err
				}
				opts.Path = p
			}
			if runF != nil {
				return runF(opts)
			}
			return paramLsRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "every level under PATH")
	cmd.Flags().BoolVar(&opts.Labels, "labels", false, "read each parameter's labels (one call per parameter)")
	return cmd
}

func paramLsRun(ctx context.Context, opts *paramLsOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
	if err != nil {
		return err
	}
	f.streams.StartProgress("Listing parameters")
	md, err := c.Describe(ctx, opts.Path, opts.Recursive || opts.Path == "")
	if err == nil && opts.Labels {
		err = c.Labels(ctx, md)
	}
	f.streams.StopProgress()
	if err != nil {
		return err
	}
	views := make([]metadataView, 0, len(md))
	for _, m := range md {
		views = append(views, newMetadataView(m))
	}
	now, tty := f.now(), f.streams.IsStdoutTTY()
	return f.printer.Print(views, func() output.Table {
		h := []string{"NAME", "TYPE", "TIER", "VERSION", "LAST MODIFIED", "MODIFIED BY", "DATA TYPE"}
		if opts.Labels {
			h = append(h, "LABELS")
		}
		t := output.Table{Headers: h, NoTruncate: []int{0, 3}}
		for _, v := range views {
			row := []string{v.Name, v.Type, v.Tier, strconv.FormatInt(v.Version, 10), timeLabel(v.LastModified, now, tty), v.LastModifiedUser, v.DataType}
			if opts.Labels {
				row = append(row, labelList(v.Labels))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
}

func labelList(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

// --- history ---

type paramHistoryOptions struct {
	f       *factory
	client  func(ctx context.Context) (*params.Client, error)
	Name    string
	Decrypt bool
}

func newParamHistoryCmd(f *factory, runF func(*paramHistoryOptions) error) *cobra.Command {
	opts := &paramHistoryOptions{f: f, client: paramsClient(f)}
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "List a parameter's versions with their labels",
		Long: `List every version AWS keeps of a parameter (the last 100), oldest first, with
its labels, value, tier and who changed it. SecureString values are masked
in tables unless --decrypt is given.`,
		Example: `  ssmctl param history /app/prod/db/url
  ssmctl param history /app/prod/db/password --decrypt -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := params.ValidateName(args[0]); err != nil {
				return err
			}
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return paramHistoryRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "decrypt SecureString values")
	return cmd
}

func paramHistoryRun(ctx context.Context, opts *paramHistoryOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
	if err != nil {
		return err
	}
	hist, err := c.History(ctx, opts.Name, opts.Decrypt)
	if err != nil {
		return err
	}
	views := make([]versionView, 0, len(hist))
	for _, h := range hist {
		labels := h.Labels
		if labels == nil {
			labels = []string{}
		}
		views = append(views, versionView{Name: h.Name, Version: h.Version, Type: h.Type, Value: h.Value, Tier: h.Tier, Labels: labels,
			LastModified: timePtr(h.LastModified), LastModifiedUser: h.LastModifiedUser, Description: h.Description, DataType: h.DataType})
	}
	now, tty := f.now(), f.streams.IsStdoutTTY()
	return f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"VERSION", "LABELS", "LAST MODIFIED", "MODIFIED BY", "TIER", "VALUE"}, NoTruncate: []int{0, 1}}
		for _, v := range views {
			val := v.Value
			if v.Type == "SecureString" && !opts.Decrypt {
				val = masked
			}
			t.Rows = append(t.Rows, []string{strconv.FormatInt(v.Version, 10), strings.Join(v.Labels, ","), timeLabel(v.LastModified, now, tty), v.LastModifiedUser, v.Tier, val})
		}
		return t
	})
}

// --- label / unlabel ---

type paramLabelOptions struct {
	f        *factory
	client   func(ctx context.Context) (*params.Client, error)
	Selector params.Selector
	Labels   []string
	Remove   bool
}

func newParamLabelCmd(f *factory, runF func(*paramLabelOptions) error) *cobra.Command {
	return newLabelCmd(f, runF, false)
}

func newParamUnlabelCmd(f *factory, runF func(*paramLabelOptions) error) *cobra.Command {
	return newLabelCmd(f, runF, true)
}

func newLabelCmd(f *factory, runF func(*paramLabelOptions) error, remove bool) *cobra.Command {
	opts := &paramLabelOptions{f: f, client: paramsClient(f), Remove: remove}
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
			return usageErr(fmt.Errorf("%s: give NAME or NAME:VERSION, not a label", args[0]))
		}
		if remove && sel.Version == 0 {
			return usageErr(fmt.Errorf("unlabel needs the version: NAME:VERSION"))
		}
		for _, l := range args[1:] {
			if err := params.ValidateLabel(l); err != nil {
				return err
			}
		}
		if !remove && len(args[1:]) > params.BatchSize {
			return usageErr(fmt.Errorf("%d labels: a version carries at most %d", len(args)-1, params.BatchSize))
		}
		opts.Selector, opts.Labels = sel, args[1:]
		if runF != nil {
			return runF(opts)
		}
		return paramLabelRun(cmd.Context(), opts)
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

func paramLabelRun(ctx context.Context, opts *paramLabelOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
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
	if err := f.printer.Print(v, func() output.Table {
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

// --- put ---

type paramPutOptions struct {
	f           *factory
	client      func(ctx context.Context) (*params.Client, error)
	Put         params.Put
	ValueArg    string
	HasValueArg bool
	ValueFile   string
	Tags        []string
	PolicyArgs  []string
}

func newParamPutCmd(f *factory, runF func(*paramPutOptions) error) *cobra.Command {
	opts := &paramPutOptions{f: f, client: paramsClient(f)}
	cmd := &cobra.Command{
		Use:   "put NAME [VALUE|-]",
		Short: "Create or update a parameter",
		Long: `Create a parameter, or with --overwrite give an existing one a new version.

The value comes from the argument, from stdin with - (or when no value is
given and stdin is not a terminal; one trailing newline is dropped), or
exactly from a file with --value-file. A SecureString value given as an
argument works but is visible in the process list and shell history, so
ssmctl warns; prefer - or --value-file.

Values have at most 4 KB on the Standard tier and 8 KB on Advanced;
Intelligent-Tiering picks Advanced when needed. --policy takes AWS's JSON
or the short forms expire=2027-01-01 (or an RFC 3339 time),
notify-before=15d (d: days, h: hours) and no-change=30d, and needs the
Advanced or Intelligent-Tiering tier. --tag applies to new parameters.`,
		Example: `  ssmctl param put /app/prod/db/url 'postgres://db:5432/app'
  printf %s "$PW" | ssmctl param put /app/prod/db/password - --type SecureString
  ssmctl param put /app/prod/tls/key --type SecureString --value-file key.pem --tier Advanced
  ssmctl param put /app/prod/token - --type SecureString --tier Advanced --policy expire=2027-01-01 --policy notify-before=15d < token
  ssmctl param put /app/prod/db/url 'postgres://db2:5432/app' --overwrite`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Put.Name = args[0]
			if len(args) == 2 {
				opts.ValueArg, opts.HasValueArg = args[1], true
			}
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return paramPutRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Put.Type, "type", "", "parameter `type`: String (default for new), StringList, SecureString")
	fl.StringVar(&opts.Put.KeyID, "key-id", "", "KMS `key` ID, ARN or alias for a SecureString (default alias/aws/ssm)")
	fl.StringVar(&opts.Put.Tier, "tier", "", "`tier`: Standard, Advanced, Intelligent-Tiering (default: the account's)")
	fl.BoolVar(&opts.Put.Overwrite, "overwrite", false, "replace the value of an existing parameter (a new version)")
	fl.StringVar(&opts.Put.Description, "description", "", "`text` describing the parameter")
	fl.StringVar(&opts.Put.AllowedPattern, "allowed-pattern", "", "regular `expression` the value must match")
	fl.StringVar(&opts.Put.DataType, "data-type", "", "data `type`: text, aws:ec2:image, aws:ssm:integration")
	fl.StringArrayVar(&opts.Tags, "tag", nil, "`key=value` tag of a new parameter (repeatable)")
	fl.StringArrayVar(&opts.PolicyArgs, "policy", nil, "parameter `policy`: JSON, expire=DATE, notify-before=N(d|h), no-change=N(d|h) (repeatable)")
	fl.StringVar(&opts.ValueFile, "value-file", "", "read the value exactly from `file` (- for stdin)")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(params.Types, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("tier", cobra.FixedCompletions(params.Tiers, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("data-type", cobra.FixedCompletions(params.DataTypes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// complete reads the value and checks the request, before any AWS call.
func (o *paramPutOptions) complete() error {
	f := o.f
	switch {
	case o.HasValueArg && o.ValueFile != "":
		return usageErr(fmt.Errorf("give the value as an argument or with --value-file, not both"))
	case o.ValueFile != "":
		v, err := readValue(o.ValueFile, f.streams.In, false)
		if err != nil {
			return err
		}
		o.Put.Value = v
	case o.HasValueArg && o.ValueArg == "-":
		v, err := readValue("-", f.streams.In, true)
		if err != nil {
			return err
		}
		o.Put.Value = v
	case o.HasValueArg:
		o.Put.Value = o.ValueArg
	case f.streams.IsStdinTTY():
		return usageErr(fmt.Errorf("no value: give VALUE, - (stdin) or --value-file FILE"))
	default:
		v, err := readValue("-", f.streams.In, true)
		if err != nil {
			return err
		}
		o.Put.Value = v
	}
	if len(o.Tags) > 0 {
		o.Put.Tags = map[string]string{}
		for _, t := range o.Tags {
			k, v, err := params.ParseTag(t)
			if err != nil {
				return err
			}
			o.Put.Tags[k] = v
		}
	}
	pol, err := params.ParsePolicies(o.PolicyArgs, f.now())
	if err != nil {
		return err
	}
	o.Put.Policies = pol
	if err := o.Put.Validate(); err != nil {
		return err
	}
	if o.HasValueArg && o.ValueArg != "-" && o.Put.Type == "SecureString" {
		f.streams.Warnf("a SecureString value given as an argument is visible in the process list and shell history; use - (stdin) or --value-file")
	}
	return nil
}

// readValue reads a value from a file or stdin ("-"). trimNewline drops
// one trailing newline, which echo and here-strings add.
func readValue(path string, stdin io.Reader, trimNewline bool) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", usageErr(fmt.Errorf("read value: %w", err))
	}
	s := string(b)
	if trimNewline {
		s = strings.TrimSuffix(s, "\n")
		s = strings.TrimSuffix(s, "\r")
	}
	return s, nil
}

// putView is what put prints.
type putView struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Tier    string `json:"tier"`
}

func paramPutRun(ctx context.Context, opts *paramPutOptions) error {
	f := opts.f
	c, err := opts.client(ctx)
	if err != nil {
		return err
	}
	res, err := c.Put(ctx, opts.Put)
	if err != nil {
		return err
	}
	v := putView{Name: res.Name, Version: res.Version, Tier: res.Tier}
	return f.printer.Print(v, func() output.Table {
		return output.Table{Headers: []string{"NAME", "VERSION", "TIER"}, Rows: [][]string{{v.Name, strconv.FormatInt(v.Version, 10), v.Tier}}}
	})
}

// completeParams completes parameter names one level at a time: the
// parameters and sub-paths directly under what has been typed, from one
// DescribeParameters listing (Name BeginsWith, at most 200 names), with a
// short deadline. paths offers only sub-paths.
func completeParams(f *factory, paths bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		c, err := paramsClient(f)(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		prefix := toComplete
		if prefix == "" {
			prefix = "/"
		}
		md, err := c.DescribePrefix(ctx, prefix, 200)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completionsUnder(toComplete, md, paths)
	}
}

// completionsUnder turns names beginning with typed into the next level:
// "/app/p" and /app/prod/db/url give /app/prod/.
func completionsUnder(typed string, md []params.Metadata, paths bool) ([]cobra.Completion, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	var out []string
	dirs := false
	base := strings.LastIndex(typed, "/") + 1
	for _, m := range md {
		if !strings.HasPrefix(m.Name, typed) {
			continue
		}
		rest := m.Name[base:]
		word := m.Name
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			word = m.Name[:base+i+1]
			dirs = true
		} else if paths {
			continue
		}
		if !seen[word] {
			seen[word] = true
			if strings.HasSuffix(word, "/") {
				out = append(out, word)
			} else {
				out = append(out, word+"\t"+m.Type)
			}
		}
	}
	sort.Strings(out)
	d := cobra.ShellCompDirectiveNoFileComp
	if dirs {
		d |= cobra.ShellCompDirectiveNoSpace
	}
	return out, d
}
