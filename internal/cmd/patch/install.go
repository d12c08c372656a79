package patch

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/patch"
)

// InstallOptions is what patch install uses.
type InstallOptions struct {
	execOptions
	Reboot   string
	Override string
}

// NewCmdInstall is `ssmctl patch install`.
func NewCmdInstall(f *cmdutil.Factory, runF func(*InstallOptions) error) *cobra.Command {
	opts := &InstallOptions{execOptions: newExecOptions(f)}
	cmd := &cobra.Command{
		Use:   "install TARGET... [--reboot RebootIfNeeded|NoReboot] [--baseline-override FILE]",
		Short: "Install the missing approved patches (AWS-RunPatchBaseline Install)",
		Long: `Run AWS-RunPatchBaseline with Operation Install on the nodes: each node
installs the patches its baseline approves and lacks. Results arrive live as
with 'ssmctl run' (same waiting, Ctrl-C and exit codes: a patch that fails
makes its node fail, exit 1); the refreshed compliance of the nodes follows.
--ping Online leaves out the nodes that are not Online, which would hold
the run until AWS gives up on them.

--reboot RebootIfNeeded (the default) reboots a node that installed
patches; NoReboot leaves them pending a reboot: AWS reports the command a
success, and ssmctl then exits 194 (3010 on Windows) when any node still
owes a reboot, so a pipeline knows.

--change-calendar NAME refuses to start while the change calendar is
CLOSED (exit 1, naming it and when it opens); --ignore-change-calendar
REASON overrides it and records the reason in the command's comment, as
with 'ssmctl run'.

--baseline-override FILE installs by the baselines in FILE (AWS's
BaselineOverride JSON: a list of baselines, one per operating system)
instead of the nodes' own; a file that is not one is refused (exit 252).
An s3:// or https:// URL is passed to AWS as is; a local FILE is passed as
a file:/// URL, which the sandbox reads and AWS does not (upload it to S3
for AWS).`,
		Example: `  ssmctl patch install tag:Env=staging
  ssmctl patch install tag:Env=prod --reboot NoReboot --max-concurrency 10% --max-errors 1
  ssmctl patch install web-1 --baseline-override ./emergency.json
  ssmctl patch install tag:Env=prod --change-calendar prod-freeze`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reboot, err := cmdutil.OneOf("reboot", opts.Reboot, patch.RebootOptions)
			if err != nil {
				return err
			}
			opts.Request.RebootOption = reboot
			if opts.Override != "" {
				if err := checkOverride(opts.Override); err != nil {
					return err
				}
				opts.Request.Override = opts.Override
			}
			if err := opts.complete(cmd.Flags(), args, "Install"); err != nil {
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
	opts.Gate = cmdutil.AddCalendarGateFlags(cmd, f)
	cmd.Flags().StringVar(&opts.Reboot, "reboot", "RebootIfNeeded", "`RebootIfNeeded` reboots nodes that installed patches; NoReboot leaves them pending (exit 194)")
	cmd.Flags().StringVar(&opts.Override, "baseline-override", "", "install by the baselines in `FILE` (or an s3:// or https:// URL) instead of the nodes' own")
	_ = cmd.RegisterFlagCompletionFunc("reboot", cobra.FixedCompletions(patch.RebootOptions, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// checkOverride reads and checks a local override file; URLs are AWS's
// to read.
func checkOverride(path string) error {
	if u, _ := patch.OverrideURL(path); u == path {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return exitcode.New(exitcode.Usage, "--baseline-override: %v", err)
	}
	return patch.CheckOverride(path, b)
}
