package secret

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// RmOptions is what secret rm uses.
type RmOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)

	ID     string
	Window int64
	Force  bool
	Yes    bool
}

// deletionView is what rm answers.
type deletionView struct {
	Name    string       `json:"name"`
	ARN     string       `json:"arn"`
	Gone    *output.Time `json:"deletionDate,omitempty"`
	Force   bool         `json:"force"`
	Restore string       `json:"restore,omitempty"`
}

// NewCmdRm is `ssmctl secret rm`.
func NewCmdRm(f *cmdutil.Factory, runF func(*RmOptions) error) *cobra.Command {
	opts := &RmOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets}
	cmd := &cobra.Command{
		Use:   "rm NAME|ARN [--recovery-window DAYS | --force]",
		Short: "Schedule a secret's deletion (or delete it at once with --force)",
		Long: `Schedule a secret's deletion after a recovery window of 7 to 30 days
(--recovery-window, default 30); until then it can be restored with
ssmctl secret restore, and reading it fails. --force deletes it at once,
without recovery; a name that does not exist is an error (exit 254), not
a silent success as Secrets Manager answers it.

On a terminal ssmctl asks first; without a terminal --yes is required
(exit 252 otherwise, and nothing is deleted). ssmctl says when the secret
will be gone and how to restore it.`,
		Example: `  ssmctl secret rm prod/old-key
  ssmctl secret rm prod/old-key --recovery-window 7 --yes
  ssmctl secret rm test/tmp --force --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if opts.Force && cmd.Flags().Changed("recovery-window") {
				return cmdutil.FlagErrorf("--force deletes at once: it takes no --recovery-window")
			}
			if cmd.Flags().Changed("recovery-window") && (opts.Window < 7 || opts.Window > 30) {
				return cmdutil.FlagErrorf("--recovery-window: 7 to 30 days, not %d", opts.Window)
			}
			if err := cmdutil.NeedYes(opts.IO, opts.Yes, "delete a secret"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return rmRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	cmd.Flags().Int64Var(&opts.Window, "recovery-window", 30, "days until the secret is gone for good (7..30)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete at once, without a recovery window")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func rmRun(ctx context.Context, opts *RmOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if !opts.Yes {
		q := fmt.Sprintf("Schedule %s for deletion in %d days?", opts.ID, opts.Window)
		if opts.Force {
			q = fmt.Sprintf("Delete %s now, without recovery?", opts.ID)
		}
		ok, err := cmdutil.Confirm(opts.IO, q)
		if err != nil {
			return err
		}
		if !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was deleted")
		}
	}
	window := opts.Window
	if opts.Force {
		window = 0
		// DeleteSecret with ForceDeleteWithoutRecovery succeeds for a
		// secret that does not exist, so a typo would read as "deleted"
		// while the secret meant is untouched: look it up first (a
		// secret already scheduled for deletion is found).
		if _, err := c.Describe(ctx, opts.ID); err != nil {
			return err
		}
	}
	d, err := c.Delete(ctx, opts.ID, window, opts.Force)
	if err != nil {
		return err
	}
	v := deletionView{Name: d.Name, ARN: d.ARN, Gone: output.NewTime(d.Gone), Force: d.Force}
	if !d.Force {
		v.Restore = "ssmctl secret restore " + d.Name
	}
	return opts.Printer().Print(v, func() output.Table {
		msg := fmt.Sprintf("%s is scheduled for deletion: gone for good at %s; until then: %s", d.Name, d.Gone.UTC().Format(time.RFC3339), v.Restore)
		if d.Force {
			msg = fmt.Sprintf("%s is deleted (no recovery window)", d.Name)
		}
		return output.Table{Rows: [][]string{{msg}}, NoTruncate: []int{0}}
	})
}
