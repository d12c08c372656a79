package automation

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/automation"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// ApproveOptions is what automation approve and reject use.
type ApproveOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*automation.Client, error)

	Signal      string // Approve or Reject
	ExecutionID string
	Comment     string
}

// NewCmdApprove is `ssmctl automation approve` (signal Approve) or
// `ssmctl automation reject` (signal Reject).
func NewCmdApprove(f *cmdutil.Factory, runF func(*ApproveOptions) error, signal string) *cobra.Command {
	opts := &ApproveOptions{IO: f.IO, Client: f.Clients().Automation, Signal: signal}
	verb := strings.ToLower(signal)
	cmd := &cobra.Command{
		Use:   verb + " EXECUTION_ID",
		Short: signal + " the step of an execution that waits for approval",
		Long: signal + ` the aws:approve step an execution waits at (SendAutomationSignal ` + signal + `),
as one of the step's approvers. An approval lets the execution go on once the
step has its MinRequiredApprovals; a rejection fails the step.`,
		Example: `  ssmctl automation ` + verb + ` 4d1e3c2b-1234-4d5e-9f00-123456789abc --comment "checked with on-call"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkExecutionID(args[0]); err != nil {
				return err
			}
			opts.ExecutionID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return approveRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Comment, "comment", "", "a comment recorded with the decision")
	return cmd
}

func approveRun(ctx context.Context, opts *ApproveOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	var payload map[string][]string
	if opts.Comment != "" {
		payload = map[string][]string{"Comment": {opts.Comment}}
	}
	if err := client.Signal(ctx, opts.ExecutionID, opts.Signal, payload); err != nil {
		return err
	}
	opts.IO.Infof("%s sent to %s", opts.Signal, opts.ExecutionID)
	return nil
}
