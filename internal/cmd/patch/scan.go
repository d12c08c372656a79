package patch

import (
	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
)

// ScanOptions is what patch scan uses.
type ScanOptions struct {
	execOptions
}

// NewCmdScan is `ssmctl patch scan`.
func NewCmdScan(f *cmdutil.Factory, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{execOptions: newExecOptions(f)}
	cmd := &cobra.Command{
		Use:   "scan TARGET... [--target SPEC]...",
		Short: "Scan nodes for missing patches (AWS-RunPatchBaseline Scan)",
		Long: `Run AWS-RunPatchBaseline with Operation Scan on the nodes: each node
compares its patches with its baseline and reports their states, installing
nothing. Results arrive live as with 'ssmctl run' (same waiting, Ctrl-C and
exit codes); the refreshed compliance of the nodes follows. --ping Online
leaves out the nodes that are not Online, which would hold the run until
AWS gives up on them.`,
		Example: `  ssmctl patch scan tag:Env=prod
  ssmctl patch scan 'web-*' --max-concurrency 10% --max-errors 1`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(cmd.Flags(), args, "Scan"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return execRun(cmd.Context(), &opts.execOptions)
		},
		ValidArgsFunction: cmdutil.CompleteTargets(f),
	}
	opts.addFlags(cmd, f)
	return cmd
}
