package sandbox

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// RegisterOptions is what sandbox register uses.
type RegisterOptions struct {
	IO     *output.Streams
	Config func(ctx context.Context) (aws.Config, error)

	Code    string
	ID      string
	Name    string
	TagArgs []string
	Tags    map[string]string
}

// NewCmdRegister is `ssmctl sandbox register`: the agent's -register
// against a running sandbox.
func NewCmdRegister(f *cmdutil.Factory, runF func(*RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{IO: f.IO, Config: f.Clients().Config}
	cmd := &cobra.Command{
		Use:   "register --code CODE --id ID",
		Short: "Register this machine with a running sandbox, as amazon-ssm-agent -register does",
		Long: `Register this machine as an on-premises (mi-) node of a running sandbox, with an
activation's code and ID, as amazon-ssm-agent -register -code C -id I -region R
does against AWS. The sandbox is found as every command finds AWS: the endpoint,
credentials and region of the environment (source the sandbox's --env-file) or
of --endpoint-url and --region.

The new node is Online, with this machine's platform, host name and IP address,
the activation's default instance name (or --name), the activation's tags and
--tag; it counts against the activation's registration limit and runs commands
(on this machine, in the sandbox's node directory) like any other node. An
expired, deleted or exhausted activation, or a wrong code, is refused with the
error line the agent prints. Prints the node's ID.`,
		Example: `  ssmctl sandbox --env-file sandbox.env & . ./sandbox.env
  ssmctl activate create --role SSMServiceRole --name DevOnPrem --code-file dev.act
  . ./dev.act
  ssmctl sandbox register --code "$ACTIVATION_CODE" --id "$ACTIVATION_ID"`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Code == "" || opts.ID == "" {
				return cmdutil.FlagErrorf("--code and --id are required: the activation's code and ID, as activate create printed them")
			}
			tags, err := cmdutil.KeyValues("tag", opts.TagArgs)
			if err != nil {
				return err
			}
			opts.Tags = tags
			if runF != nil {
				return runF(opts)
			}
			return registerRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Code, "code", "", "the activation `code`")
	fl.StringVar(&opts.ID, "id", "", "the activation `ID`")
	fl.StringVar(&opts.Name, "name", "", "the node's `name` (default: the activation's default instance name)")
	fl.StringArrayVar(&opts.TagArgs, "tag", nil, "`key=value` tag of the node, besides the activation's (repeatable)")
	return cmd
}

func registerRun(ctx context.Context, opts *RegisterOptions) error {
	if err := activations.CheckID(opts.ID); err != nil {
		return err
	}
	cfg, err := opts.Config(ctx)
	if err != nil {
		return err
	}
	id, err := activations.Register(ctx, cfg, cfg.Region, activations.Registration{
		ActivationID: opts.ID, Code: opts.Code, Name: opts.Name, Tags: opts.Tags, Machine: activations.LocalMachine(),
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, id)
	return err
}
