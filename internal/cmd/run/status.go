package run

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

// StatusOptions is what run status uses.
type StatusOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*runcmd.Client, error)

	CommandID string
	Wait      bool
}

// NewCmdStatus is `ssmctl run status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().RunCommand}
	cmd := &cobra.Command{
		Use:   "status COMMAND_ID",
		Short: "Show a command's status on each node",
		Long: `Show the status of a command sent earlier, node by node. With --wait, wait
until every node is done and exit as run would (the remote exit code for one
node; 1, 124, 194 or 0 for several).`,
		Example: `  ssmctl run status 0b4e3d1c-1234-4d5e-9f00-123456789abc
  ssmctl run status "$id" --wait -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkCommandID(cmd, args[0]); err != nil {
				return err
			}
			opts.CommandID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait until every node is done and exit with the run's exit code")
	return cmd
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	c, err := client.Describe(ctx, opts.CommandID)
	if err != nil {
		return err
	}
	var invs []runcmd.Invocation
	var res *runcmd.Result
	if opts.Wait {
		run, err := client.Attach(ctx, opts.CommandID)
		if err != nil {
			return err
		}
		w := cmdutil.NewCollector(opts.IO)
		if res, err = cmdutil.WaitRun(ctx, opts.IO, run, w); err != nil {
			return err
		}
		invs = res.Invocations
		if c, err = client.Describe(ctx, opts.CommandID); err != nil {
			return err
		}
	} else if invs, err = client.Invocations(ctx, opts.CommandID, "", false); err != nil {
		return err
	}
	view := newCommandView(*c)
	view.Invocations = []invocationView{}
	for _, inv := range invs {
		v := newInvocationView(inv)
		v.Stdout, v.Stderr, v.Plugins = "", "", nil // status, not output: see run output
		view.Invocations = append(view.Invocations, v)
	}
	err = opts.Printer().Print(view, func() output.Table {
		t := output.Table{Headers: []string{"NODE", "NAME", "STATUS", "EXIT", "START", "DURATION"}, NoTruncate: []int{0, 2, 3}}
		for _, inv := range invs {
			exit, start, d := "", "", ""
			if inv.Done() {
				exit = fmt.Sprint(inv.ExitCode())
			}
			if !inv.Start.IsZero() {
				start = inv.Start.UTC().Format(time.RFC3339)
			}
			if inv.Duration() > 0 {
				d = inv.Duration().Round(10 * time.Millisecond).String()
			}
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, cmdutil.StatusLabel(inv), exit, start, d})
		}
		return t
	})
	if err != nil || res == nil {
		return err
	}
	return cmdutil.RunExit(res)
}
