package automation

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// SignalOptions is what automation signal uses.
type SignalOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*automation.Client, error)

	ExecutionID string
	Signal      string
	Step        string
}

var signals = []string{"StartStep", "StopStep", "Resume"}

// NewCmdSignal is `ssmctl automation signal`.
func NewCmdSignal(f *cmdutil.Factory, runF func(*SignalOptions) error) *cobra.Command {
	opts := &SignalOptions{IO: f.IO, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:   "signal EXECUTION_ID StartStep|StopStep|Resume --step NAME",
		Short: "Start, stop or resume a step",
		Long: `Send a step signal (SendAutomationSignal): StartStep runs the named step of an
Interactive execution, StopStep stops the named step while it runs (the
execution then ends Cancelled), Resume lets a paused step (aws:pause) go on.`,
		Example: `  ssmctl automation signal "$id" StartStep --step restart
  ssmctl automation signal "$id" Resume --step holdForCheck`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkExecutionID(args[0]); err != nil {
				return err
			}
			opts.ExecutionID = args[0]
			var err error
			if opts.Signal, err = cmdutil.OneOf("signal", args[1], signals); err != nil {
				return err
			}
			if opts.Step == "" {
				return cmdutil.FlagErrorf("%s needs --step NAME", opts.Signal)
			}
			if runF != nil {
				return runF(opts)
			}
			return signalRun(cmd.Context(), opts)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 1 {
				return signals, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().StringVar(&opts.Step, "step", "", "the step's `NAME`")
	return cmd
}

func signalRun(ctx context.Context, opts *SignalOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	payload := map[string][]string{"StepName": {opts.Step}}
	if opts.Signal == "StopStep" {
		// StopStep names the step execution: the step's latest run.
		e, err := client.Get(ctx, opts.ExecutionID)
		if err != nil {
			return err
		}
		id := ""
		for _, s := range e.Steps {
			if s.Name == opts.Step {
				id = s.ID
			}
		}
		if id == "" {
			return exitcode.New(exitcode.Usage, "execution %s has not run a step %s", opts.ExecutionID, opts.Step)
		}
		payload = map[string][]string{"StepExecutionId": {id}}
	}
	if err := client.Signal(ctx, opts.ExecutionID, opts.Signal, payload); err != nil {
		return err
	}
	opts.IO.Infof("%s sent to %s", fmt.Sprintf("%s %s", opts.Signal, opts.Step), opts.ExecutionID)
	return nil
}
