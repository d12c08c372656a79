package activate

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/activations"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// TierOptions is what activate tier (and tier get) uses.
type TierOptions struct {
	Printer func() *output.Printer
	Now     func() time.Time
	Client  clientFunc
}

// tierView is the activation tier as `activate tier` prints it.
type tierView struct {
	Tier         string       `json:"tier"`
	Status       string       `json:"status"`
	LastModified *output.Time `json:"lastModified"`
	ModifiedBy   string       `json:"modifiedBy"`
	SettingARN   string       `json:"settingArn"`
}

// NewCmdTier is `ssmctl activate tier` with get and set.
func NewCmdTier(f *cmdutil.Factory, runF func(*TierOptions) error) *cobra.Command {
	opts := &TierOptions{Printer: f.Printer, Now: f.Now, Client: f.Clients().Activations}
	run := func(cmd *cobra.Command, args []string) error {
		if runF != nil {
			return runF(opts)
		}
		return tierRun(cmd.Context(), opts)
	}
	cmd := &cobra.Command{
		Use:   "tier",
		Short: "Show or set the managed-instance activation tier (standard or advanced)",
		Long: `Show the account's managed-instance activation tier in the region (the service
setting /ssm/managed-instance/activation-tier): standard (up to 1,000
on-premises nodes, no Session Manager) or advanced (charged per node and
hour; needed for Session Manager to on-premises nodes). ssmctl activate tier
set changes it.`,
		Example: `  ssmctl activate tier
  ssmctl activate tier set advanced`,
		Args: cmdutil.NoArgs,
		RunE: run,
	}
	get := &cobra.Command{
		Use:     "get",
		Short:   "Show the managed-instance activation tier",
		Example: `  ssmctl activate tier get -o json --query tier`,
		Args:    cmdutil.NoArgs,
		RunE:    run,
	}
	cmd.AddCommand(get, NewCmdTierSet(f, nil))
	return cmd
}

func tierRun(ctx context.Context, opts *TierOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	t, err := c.Tier(ctx)
	if err != nil {
		return err
	}
	v := tierView{Tier: t.Value, Status: t.Status, LastModified: output.NewTime(t.LastModified), ModifiedBy: t.ModifiedBy, SettingARN: t.ARN}
	printer := opts.Printer()
	now, tty := opts.Now(), printer.TerminalTable()
	return printer.Print(v, func() output.Table {
		t := output.Table{Headers: []string{"TIER", "STATUS", "MODIFIED", "BY"}, NoTruncate: []int{0, 2}}
		t.Rows = append(t.Rows, []string{v.Tier, v.Status, output.TimeLabel(v.LastModified, now, tty), v.ModifiedBy})
		return t
	})
}

// TierSetOptions is what activate tier set uses.
type TierSetOptions struct {
	IO     *output.Streams
	Client clientFunc

	Tier string
}

// NewCmdTierSet is `ssmctl activate tier set`.
func NewCmdTierSet(f *cmdutil.Factory, runF func(*TierSetOptions) error) *cobra.Command {
	opts := &TierSetOptions{IO: f.IO, Client: f.Clients().Activations}
	cmd := &cobra.Command{
		Use:   "set standard|advanced",
		Short: "Set the managed-instance activation tier",
		Long: `Set the account's managed-instance activation tier in the region
(UpdateServiceSetting). advanced is charged per on-premises node and hour
and lets Session Manager reach on-premises nodes; standard is free, up to
1,000 on-premises nodes.`,
		Example:   `  ssmctl activate tier set advanced`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: activations.Tiers,
		RunE: func(cmd *cobra.Command, args []string) error {
			tier := strings.ToLower(args[0])
			if !slices.Contains(activations.Tiers, tier) {
				return cmdutil.FlagErrorf("invalid tier %q: want standard or advanced", args[0])
			}
			opts.Tier = tier
			if runF != nil {
				return runF(opts)
			}
			return tierSetRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func tierSetRun(ctx context.Context, opts *TierSetOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	if err := c.SetTier(ctx, opts.Tier); err != nil {
		return err
	}
	opts.IO.Infof("Activation tier set to %s.", opts.Tier)
	return nil
}
