package secret

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// GetOptions is what secret get uses.
type GetOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID           string
	Field        string
	VersionID    string
	VersionStage string
	ValueOnly    bool
	Out          string
}

// valueView is a secret's value as get prints it. The JSON names are a
// stable contract (docs/secrets.md).
type valueView struct {
	Name      string       `json:"name"`
	ARN       string       `json:"arn"`
	VersionID string       `json:"versionId"`
	Stages    []string     `json:"stages"`
	Created   *output.Time `json:"created,omitempty"`
	Value     *string      `json:"value,omitempty"`
	Binary    []byte       `json:"binary,omitempty"`
}

// NewCmdGet is `ssmctl secret get`.
func NewCmdGet(f *cmdutil.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	cmd := &cobra.Command{
		Use:   "get NAME|ARN",
		Short: "Print a secret's value, or one field of a JSON secret",
		Long: `Print a secret's value (AWSCURRENT, or the version --version-id or
--version-stage names).

--field KEY prints one key of a JSON secret: a top-level key or a dotted
path into nested objects (a key that itself holds dots is found whole). A
string prints as its text, anything else as its JSON. A key that does not
exist is exit 254 naming the keys that do (names only, never values).

--value-only prints the raw value alone, for scripts. A binary secret is
written raw with --out FILE (mode 0600 when the file is new) or
--value-only; --out writes a text value or field too, without a newline.`,
		Example: `  ssmctl secret get prod/db --field password
  ssmctl secret get prod/db --field replica.host
  ssmctl secret get prod/db --version-stage AWSPREVIOUS --value-only
  ssmctl secret get prod/tls-key --out key.der`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if opts.VersionID != "" && (len(opts.VersionID) < 32 || len(opts.VersionID) > 64) {
				return cmdutil.FlagErrorf("--version-id: a version ID is 32 to 64 characters")
			}
			if opts.Field != "" && opts.ValueOnly {
				return cmdutil.FlagErrorf("--field prints the field alone already; --value-only is for the whole value")
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	cmd.Flags().StringVar(&opts.Field, "field", "", "print one key of a JSON secret (`KEY` or a dotted path)")
	cmd.Flags().StringVar(&opts.VersionID, "version-id", "", "the version with this `ID`")
	cmd.Flags().StringVar(&opts.VersionStage, "version-stage", "", "the version with this staging label (AWSPREVIOUS, AWSPENDING...)")
	cmd.Flags().BoolVar(&opts.ValueOnly, "value-only", false, "print only the raw value")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the value (or field) to `FILE`, mode 0600 when new")
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	v, err := c.Get(ctx, opts.ID, opts.VersionID, opts.VersionStage)
	if err != nil {
		return err
	}
	var raw []byte
	switch {
	case opts.Field != "":
		if v.String == nil {
			return exitcode.New(exitcode.AWS, "secret %s is binary: --field needs a JSON secret", v.Name)
		}
		field, err := secrets.Field(v.Name, *v.String, opts.Field)
		if err != nil {
			return err
		}
		raw = []byte(field)
	case v.String != nil:
		raw = []byte(*v.String)
	default:
		raw = v.Binary
	}
	if opts.Out != "" {
		if err := cmdutil.WriteFile(ctx, opts.Out, raw, 0o600); err != nil {
			return cmdutil.FileError(opts.Out, err)
		}
		return nil
	}
	if opts.Field != "" || opts.ValueOnly {
		if v.String == nil && opts.IO.IsStdoutTTY() {
			return exitcode.Usagef("secret %s is binary (%d bytes): write it with --out FILE, or pipe --value-only", v.Name, len(v.Binary))
		}
		if v.String != nil || opts.Field != "" {
			raw = append(raw, '\n')
		}
		if _, err := opts.IO.Out.Write(raw); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	view := valueView{Name: v.Name, ARN: v.ARN, VersionID: v.VersionID, Stages: v.Stages, Created: output.NewTime(v.Created), Value: v.String, Binary: v.Binary}
	return opts.Printer().Print(view, func() output.Table {
		value := ""
		if v.String != nil {
			value = *v.String
		} else {
			value = fmt.Sprintf("(binary, %d bytes: --out FILE)", len(v.Binary))
		}
		t := output.Table{Headers: []string{"NAME", "VERSION", "STAGES", "VALUE"}, NoTruncate: []int{0, 1}}
		t.Rows = append(t.Rows, []string{v.Name, v.VersionID, strings.Join(v.Stages, ","), value})
		return t
	})
}
