package opsitem

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/opsitems"
	"github.com/ssmctl/ssmctl/pkg/output"
)

// UpdateOptions is what opsitem update uses.
type UpdateOptions struct {
	IO     *output.Streams
	Client func(ctx context.Context) (*opsitems.Client, error)

	ID     string
	Change opsitems.Change
}

// NewCmdUpdate is `ssmctl opsitem update`.
func NewCmdUpdate(f *cmdutil.Factory, runF func(*UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IO, Client: f.Clients().OpsItems}
	var data []string
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change an OpsItem's status, priority, title, data or links",
		Long: `Change an OpsItem. --status is Open, InProgress or Resolved (any of them
from any other). --data key=value[:searchable] adds or replaces
operational data, --remove-data KEY removes it; the deduplication string
(/aws/dedup) cannot be changed. --related-item, --resource and --notify
add to what the OpsItem has (at most 10 related OpsItems). Prints nothing.`,
		Example: `  ssmctl opsitem update oi-1a2b3c4d5e6f --status InProgress --priority 1
  ssmctl opsitem update oi-1a2b3c4d5e6f --data owner=alice:searchable --remove-data tmp
  ssmctl opsitem update oi-1a2b3c4d5e6f --related-item oi-0f0e0d0c0b0a`,
		Args: idArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			ch := &opts.Change
			if cmd.Flags().NFlag() == 0 {
				return cmdutil.FlagErrorf("update needs something to change (--status, --priority, --data, ...)")
			}
			for _, name := range []string{"title", "description", "category", "status"} {
				if fl := cmd.Flags().Lookup(name); fl.Changed && fl.Value.String() == "" {
					return cmdutil.FlagValueErrorf(name, "", "must not be empty")
				}
			}
			if err := checkNumbers(cmd, ch.Priority, ch.Severity); err != nil {
				return err
			}
			var err error
			if ch.Data, err = parseDataFlags(data); err != nil {
				return err
			}
			desc := ch.Description
			if desc == "-" {
				ch.Description = ""
			}
			if err := ch.Check(); err != nil {
				return err
			}
			ch.Description = desc
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Change.Status, "status", "", "new `status`: Open, InProgress, Resolved")
	fl.IntVar(&opts.Change.Priority, "priority", 0, "new priority `N`, 1 (highest) to 5")
	fl.IntVar(&opts.Change.Severity, "severity", 0, "new severity `N`, 1 (critical) to 4")
	fl.StringVar(&opts.Change.Title, "title", "", "new `title`")
	fl.StringVar(&opts.Change.Description, "description", "", "new description; - reads stdin")
	fl.StringVar(&opts.Change.Category, "category", "", "new `category`")
	fl.StringArrayVar(&data, "data", nil, "add or replace operational data `key=value[:searchable]` (repeatable)")
	fl.StringArrayVar(&opts.Change.RemoveData, "remove-data", nil, "remove the operational data `key` (repeatable)")
	fl.StringArrayVar(&opts.Change.Related, "related-item", nil, "add a related OpsItem `ID` (repeatable)")
	fl.StringArrayVar(&opts.Change.Resources, "resource", nil, "add a related resource `ARN` (repeatable)")
	fl.StringArrayVar(&opts.Change.Notify, "notify", nil, "add an SNS topic `ARN` to notify (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(opsitems.Statuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
	ch := opts.Change
	if ch.Description == "-" {
		var err error
		if ch.Description, err = readDescription(opts.IO.In); err != nil {
			return err
		}
		if err := opsitems.CheckDescription(ch.Description); err != nil {
			return err
		}
	}
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	return c.Update(ctx, opts.ID, ch)
}
