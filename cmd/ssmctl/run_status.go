package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
)

type runStatusOptions struct {
	f         *factory
	CommandID string
	Wait      bool
	client    func(ctx context.Context) (*runcmd.Client, error)
}

func newRunStatusCmd(f *factory, runF func(*runStatusOptions) error) *cobra.Command {
	opts := &runStatusOptions{f: f, client: runcmdClient(f)}
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
			return runStatusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait until every node is done and exit with the run's exit code")
	return cmd
}

func runStatusRun(ctx context.Context, opts *runStatusOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
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
		w := &resultWriter{f: f, structured: true}
		if res, err = waitRun(ctx, f, run, w); err != nil {
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
	err = f.printer.Print(view, func() output.Table {
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
			t.Rows = append(t.Rows, []string{inv.NodeID, inv.Name, statusLabel(inv), exit, start, d})
		}
		return t
	})
	if err != nil || res == nil {
		return err
	}
	return runExit(res)
}
