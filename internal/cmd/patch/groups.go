package patch

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/patch"
)

// GroupsOptions is what patch groups uses.
type GroupsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*patch.Client, error)
}

// NewCmdGroups is `ssmctl patch groups`.
func NewCmdGroups(f *cmdutil.Factory, runF func(*GroupsOptions) error) *cobra.Command {
	opts := &GroupsOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Patch}
	cmd := &cobra.Command{
		Use:   "groups",
		Short: "List patch groups and their baselines",
		Long: `List the patch groups that have a baseline registered, and that baseline.
A node is in a patch group by its tag "Patch Group" (or "PatchGroup"); a
node in no group, or in a group with no baseline for its operating system,
uses its system's default baseline.`,
		Example: `  ssmctl patch groups`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return groupsRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func groupsRun(ctx context.Context, opts *GroupsOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	groups, err := client.Groups(ctx)
	if err != nil {
		return err
	}
	views := make([]groupView, 0, len(groups))
	for _, g := range groups {
		views = append(views, groupView{PatchGroup: g.Name, Baseline: newBaselineView(g.Baseline)})
	}
	return opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"PATCH GROUP", "BASELINE", "OS", "ID"}, NoTruncate: []int{0, 3}}
		for _, v := range views {
			t.Rows = append(t.Rows, []string{v.PatchGroup, v.Baseline.Name, v.Baseline.OperatingSystem, v.Baseline.ID})
		}
		return t
	})
}
