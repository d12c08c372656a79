package run

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// OutputOptions is what run output uses.
type OutputOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*runcmd.Client, error)
	Aliases func() map[string][]string

	CommandID string
	Node      string
	Prefix    bool

	// nodeSpecs is --node parsed.
	nodeSpecs []target.Spec
}

// NewCmdOutput is `ssmctl run output`.
func NewCmdOutput(f *cmdutil.Factory, runF func(*OutputOptions) error) *cobra.Command {
	opts := &OutputOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().RunCommand, Aliases: f.Aliases}
	cmd := &cobra.Command{
		Use:   "output COMMAND_ID",
		Short: "Print a command's output on each node",
		Long: `Print the output of a command sent earlier: up to 24,000 characters of
stdout and 8,000 of stderr per node, which is what AWS keeps. Output that was
cut says so, and where the full output is when the command sent it to S3 or
CloudWatch Logs.`,
		Example: `  ssmctl run output 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run output "$id" --node web-1 > web-1.log
  ssmctl run output "$id" -o json --query 'invocations[?exitCode!=` + "`0`" + `].name'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			if opts.Node != "" {
				specs, err := target.ParseAll([]string{opts.Node}, opts.Aliases())
				if err != nil {
					return cmdutil.FlagErrorf("invalid --node %q: %s", opts.Node, exitcode.Message(err))
				}
				opts.nodeSpecs = specs
			}
			if runF != nil {
				return runF(opts)
			}
			return outputRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Node, "node", "", "only the output of these nodes: a `TARGET` as run takes it (ID, name, glob, tag:K=V, @alias)")
	cmd.Flags().BoolVar(&opts.Prefix, "prefix", false, `prefix every output line with "NODE | "`)
	return cmd
}

func outputRun(ctx context.Context, opts *OutputOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	c, err := client.Describe(ctx, opts.CommandID)
	if err != nil {
		return err
	}
	var invs []runcmd.Invocation
	if len(opts.nodeSpecs) > 0 {
		invs, err = client.InvocationsOn(ctx, opts.CommandID, opts.nodeSpecs, true)
	} else {
		invs, err = client.Invocations(ctx, opts.CommandID, "", true)
	}
	if err != nil {
		return err
	}
	w := cmdutil.NewResultWriter(opts.IO, opts.Printer(), opts.Prefix, nil)
	for _, inv := range invs {
		if inv.Done() {
			w.Write(inv)
		}
		if inv.StdoutTruncated || inv.StderrTruncated {
			if where := runcmd.OutputLocation(*c, inv); where != "" {
				opts.IO.Infof("%s: full output: %s", cmdutil.NodeLabel(inv), where)
			} else {
				opts.IO.Infof("%s: the full output was not kept (send with --output-s3-bucket or --cloudwatch-output to keep it)", cmdutil.NodeLabel(inv))
			}
		}
	}
	if w.Structured() {
		res := &runcmd.Result{Invocations: invs, ExitCode: runcmd.ExitCode(invs)}
		return finishRunDocument(opts.Printer(), []string{c.ID}, c.Document, c.DocumentVersion, res)
	}
	return nil
}

func finishRunDocument(printer *output.Printer, ids []string, doc, version string, res *runcmd.Result) error {
	view := runView{CommandIDs: ids, Document: doc, DocumentVersion: version, ExitCode: res.ExitCode, Invocations: []invocationView{}}
	for _, inv := range res.Invocations {
		view.Invocations = append(view.Invocations, newInvocationView(inv))
	}
	return printer.Print(view, nil)
}
