package activate

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// CreateOptions is what activate create uses.
type CreateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  clientFunc

	Input        activations.CreateInput
	ExpiresArg   string
	TagArgs      []string
	MetadataArgs []string
	CodeFile     string
}

// createdView is what create prints: the code only when it is not in a
// file.
type createdView struct {
	ActivationID   string        `json:"activationId"`
	ActivationCode string        `json:"activationCode,omitempty"`
	CodeFile       string        `json:"codeFile,omitempty"`
	Region         string        `json:"region"`
	Expires        *output.Time  `json:"expires"`
	Commands       []installView `json:"commands"`
}

type installView struct {
	Title string   `json:"title"`
	Shell string   `json:"shell"`
	Lines []string `json:"lines"`
}

// NewCmdCreate is `ssmctl activate create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:   "create --role ROLE",
		Short: "Create an activation and print the commands that register nodes with it",
		Long: `Create a hybrid activation (CreateActivation) for on-premises servers and VMs.
--role names the IAM service role the nodes get (its name, with its path if
it has one, not its ARN); --limit is how many nodes may register with it
(1 to 1000, default 1); --expires when it stops accepting registrations: a
duration (36h, 7d) or a date, at most 30 days ahead (default 24 hours).
Everything is checked before the call, so a refused activation creates
nothing.

Prints the activation ID and code once (AWS never shows the code again),
then the commands that install the SSM Agent and register a node, for Linux
(deb, rpm and snap installs) and Windows (PowerShell), with the region filled
in; the restart at the end is easy to forget. --code-file F writes the ID
and code to F (mode 0600, as shell assignments ACTIVATION_ID=... and
ACTIVATION_CODE=...) instead of printing the code; an existing file keeps its
mode, as every file ssmctl writes does (docs/output.md). -o json includes the
code (unless --code-file).`,
		Example: `  ssmctl activate create --role SSMServiceRole --name DevOnPrem --limit 10
  ssmctl activate create --role service-role/AmazonEC2RunCommandRoleForManagedInstances \
      --name ProdOnPrem --limit 10 --expires 7d --tag Environment=Prod --code-file prod.act
  ssmctl activate create --role SSMServiceRole -o json --query activationCode`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.Tags, err = cmdutil.KeyValues("tag", opts.TagArgs); err != nil {
				return err
			}
			if opts.Input.Metadata, err = cmdutil.KeyValues("registration-metadata", opts.MetadataArgs); err != nil {
				return err
			}
			if l := opts.Input.Limit; cmd.Flags().Changed("limit") && (l < activations.MinLimit || l > activations.MaxLimit) {
				// 0 would mean "AWS's default" inside: said on purpose, it
				// is out of range, like -1 or 1001.
				return cmdutil.FlagValueErrorf("limit", strconv.Itoa(l), "want %d to %d", activations.MinLimit, activations.MaxLimit)
			}
			if opts.ExpiresArg != "" {
				t, err := activations.ParseExpiry(opts.ExpiresArg, opts.Now())
				if err != nil {
					return cmdutil.FlagValueErrorf("expires", opts.ExpiresArg, "%s", err)
				}
				opts.Input.Expires = t
			}
			if err := opts.Input.Validate(opts.Now()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.Role, "role", "", "IAM service `role` the nodes use (name, with path; not the ARN)")
	fl.StringVar(&opts.Input.Name, "name", "", "default instance `name` of the nodes registered with it")
	fl.StringVar(&opts.Input.Description, "description", "", "`text` describing the activation")
	fl.IntVar(&opts.Input.Limit, "limit", 0, "how many `N`odes may register (1-1000; default 1)")
	fl.StringVar(&opts.ExpiresArg, "expires", "", "when it expires: a `duration` (36h, 7d) or date, at most 30 days ahead (default 24h)")
	fl.StringArrayVar(&opts.TagArgs, "tag", nil, "`key=value` tag of the activation, given to its nodes too (repeatable)")
	fl.StringArrayVar(&opts.MetadataArgs, "registration-metadata", nil, "`key=value` registration metadata (repeatable)")
	fl.StringVar(&opts.CodeFile, "code-file", "", "write the ID and code to this `file` (mode 0600 if new) instead of printing the code")
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	// The code file is opened first, so a path that can't be written
	// refuses before an activation (whose code AWS shows once) exists.
	var file *cmdutil.File
	if opts.CodeFile != "" {
		if file, err = cmdutil.CreateFile(ctx, opts.CodeFile, 0o600); err != nil {
			return cmdutil.FileError(opts.CodeFile, err)
		}
		defer file.Discard()
	}
	created, err := c.Create(ctx, opts.Input, opts.Now())
	if err != nil {
		return err
	}
	v := createdView{ActivationID: created.ID, ActivationCode: created.Code, Region: c.Region, Expires: output.NewTime(created.Expires)}
	code := created.Code
	if file != nil {
		fmt.Fprintf(file, "ACTIVATION_ID=%s\nACTIVATION_CODE=%s\nACTIVATION_REGION=%s\n", created.ID, created.Code, c.Region)
		if err := file.Close(); err != nil {
			// The activation exists: say which, so it can be deleted.
			return fmt.Errorf("activation %s created, but its code could not be written: %w", created.ID, cmdutil.FileError(opts.CodeFile, err))
		}
		v.ActivationCode, v.CodeFile, code = "", opts.CodeFile, activations.Secret
	}
	for _, in := range activations.Instructions(created.ID, code, c.Region) {
		v.Commands = append(v.Commands, installView{Title: in.Title, Shell: in.Shell, Lines: in.Lines})
	}
	printer := opts.Printer()
	if printer.Structured() {
		return printer.Print(v, nil)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Activation ID:   %s\n", v.ActivationID)
	if v.CodeFile != "" {
		fmt.Fprintf(&b, "Activation code: in %s (ACTIVATION_CODE)\n", v.CodeFile)
	} else {
		fmt.Fprintf(&b, "Activation code: %s\n", v.ActivationCode)
	}
	fmt.Fprintf(&b, "Expires:         %s\n", created.Expires.UTC().Format(time.RFC3339))
	if v.CodeFile == "" {
		b.WriteString("\nKeep the code now: AWS never shows it again.\n")
	} else {
		fmt.Fprintf(&b, "\nOn each node, set ACTIVATION_CODE first (the line in %s).\n", v.CodeFile)
	}
	fmt.Fprintf(&b, "\nRegister a node with it (region %s); the restart at the end is easy to forget:\n", c.Region)
	for _, in := range v.Commands {
		fmt.Fprintf(&b, "\n# %s\n%s\n", in.Title, strings.Join(in.Lines, "\n"))
	}
	_, err = fmt.Fprint(opts.IO.Out, b.String())
	return err
}
