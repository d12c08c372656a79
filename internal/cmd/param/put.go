package param

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// PutOptions is what param put uses.
type PutOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*params.Client, error)

	Put         params.Put
	ValueArg    string
	HasValueArg bool
	ValueFile   string
	Tags        []string
	PolicyArgs  []string
}

// NewCmdPut is `ssmctl param put`.
func NewCmdPut(f *cmdutil.Factory, runF func(*PutOptions) error) *cobra.Command {
	opts := &PutOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "put NAME [VALUE|-]",
		Short: "Create or update a parameter",
		Long: `Create a parameter, or with --overwrite give an existing one a new version.

The value comes from the argument, from stdin with - (or when no value is
given and stdin is not a terminal; one trailing newline is dropped), or
exactly from a file with --value-file. A SecureString with no value at a
terminal is asked for, and what is typed is not echoed. A SecureString value given as an
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
			return putRun(cmd.Context(), opts)
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
func (o *PutOptions) complete() error {
	switch {
	case o.HasValueArg && o.ValueFile != "":
		return cmdutil.FlagErrorf("give the value as an argument or with --value-file, not both")
	case o.ValueFile != "":
		v, err := readValue(o.ValueFile, o.IO.In, false)
		if err != nil {
			return err
		}
		o.Put.Value = v
	case o.HasValueArg && o.ValueArg == "-":
		v, err := readValue("-", o.IO.In, true)
		if err != nil {
			return err
		}
		o.Put.Value = v
	case o.HasValueArg:
		o.Put.Value = o.ValueArg
	case o.IO.IsStdinTTY() && strings.EqualFold(o.Put.Type, "SecureString") && o.IO.IsStderrTTY() && o.IO.CanPrompt():
		// A secret typed at the terminal is not echoed, and never is an
		// argument (process list, shell history).
		v, err := o.IO.ReadSecret(fmt.Sprintf("Value of %s (not echoed): ", o.Put.Name))
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		o.Put.Value = v
	case o.IO.IsStdinTTY():
		return cmdutil.FlagErrorf("no value: give VALUE, - (stdin) or --value-file FILE")
	default:
		v, err := readValue("-", o.IO.In, true)
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
	pol, err := params.ParsePolicies(o.PolicyArgs, o.Now())
	if err != nil {
		return err
	}
	o.Put.Policies = pol
	if err := o.Put.Validate(); err != nil {
		return err
	}
	if o.HasValueArg && o.ValueArg != "-" && o.Put.Type == "SecureString" {
		o.IO.Warnf("a SecureString value given as an argument is visible in the process list and shell history; use - (stdin) or --value-file")
	}
	return nil
}

// readValue reads a value from a file or stdin ("-"). trimNewline drops
// one trailing newline, which echo and here-strings add.
func readValue(path string, stdin io.Reader, trimNewline bool) (string, error) {
	b, err := cmdutil.ReadFileOrStdin(path, stdin)
	if err != nil {
		return "", cmdutil.FlagErrorf("read value: %w", err)
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

func putRun(ctx context.Context, opts *PutOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	res, err := c.Put(ctx, opts.Put)
	if err != nil {
		return err
	}
	v := putView{Name: res.Name, Version: res.Version, Tier: res.Tier}
	return opts.Printer().Print(v, func() output.Table {
		return output.Table{Headers: []string{"NAME", "VERSION", "TIER"}, Rows: [][]string{{v.Name, strconv.FormatInt(v.Version, 10), v.Tier}}}
	})
}
