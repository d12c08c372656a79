package automation

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// WaitOptions is what automation wait uses.
type WaitOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*automation.Client, error)

	ExecutionID string
	Stop        bool
}

// NewCmdWait is `ssmctl automation wait`.
func NewCmdWait(f *cmdutil.Factory, runF func(*WaitOptions) error) *cobra.Command {
	opts := &WaitOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Automation}
	cmd := &cobra.Command{
		Use:   "wait EXECUTION_ID",
		Short: "Follow an execution to its end and exit with its status",
		Long: `Follow an execution started earlier (automation start --no-wait, the console,
another tool) with the same step view as start, and exit as start does: 0
Success, 1 Failed or Cancelled, 124 TimedOut. Ctrl-C stops waiting and
leaves the execution running (exit 130), unless --stop is given, which
cancels it as start does.`,
		Example: `  ssmctl automation wait 4d1e3c2b-1234-4d5e-9f00-123456789abc
  ssmctl automation wait "$id" -o json --query status`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkExecutionID(args[0]); err != nil {
				return err
			}
			opts.ExecutionID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return waitRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Stop, "stop", false, "on Ctrl-C, cancel the execution as start does")
	return cmd
}

func waitRun(ctx context.Context, opts *WaitOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	return follow(ctx, opts.IO, opts.Printer(), client, opts.ExecutionID, opts.Stop)
}
