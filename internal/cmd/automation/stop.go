package automation

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// StopOptions is what automation stop uses.
type StopOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*automation.Client, error)

	ExecutionID string
	Type        string
}

// NewCmdStop is `ssmctl automation stop`.
func NewCmdStop(f *cmdutil.Factory, runF func(*StopOptions) error) *cobra.Command {
	opts := &StopOptions{IO: f.IO, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:   "stop EXECUTION_ID",
		Short: "Stop an execution",
		Long: `Stop an execution (StopAutomationExecution). --type Cancel (the default)
cancels the running step and ends the execution Cancelled, after its
onCancel step if it has one; --type Complete ends it without running more
steps.`,
		Example: `  ssmctl automation stop 4d1e3c2b-1234-4d5e-9f00-123456789abc
  ssmctl automation stop "$id" --type Complete`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkExecutionID(args[0]); err != nil {
				return err
			}
			opts.ExecutionID = args[0]
			var err error
			if opts.Type, err = cmdutil.OneOf("type", opts.Type, []string{"Cancel", "Complete"}); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return stopRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Type, "type", "Cancel", "Cancel or Complete")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"Cancel", "Complete"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func stopRun(ctx context.Context, opts *StopOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if err := client.Stop(ctx, opts.ExecutionID, opts.Type); err != nil {
		return err
	}
	opts.IO.Infof("Stop (%s) of %s requested", opts.Type, opts.ExecutionID)
	return nil
}
