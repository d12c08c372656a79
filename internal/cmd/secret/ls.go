package secret

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// LsOptions is what secret ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)
	Now     func() time.Time

	Filters         []secrets.Filter
	IncludeDeletion bool
}

// summaryView is a secret without its value, as ls and describe print
// it. The JSON names are a stable contract (docs/secrets.md).
type summaryView struct {
	Name            string              `json:"name"`
	ARN             string              `json:"arn"`
	Description     string              `json:"description,omitempty"`
	KmsKeyID        string              `json:"kmsKeyId,omitempty"`
	RotationEnabled bool                `json:"rotationEnabled"`
	RotationLambda  string              `json:"rotationLambda,omitempty"`
	RotationDays    int64               `json:"rotationDays,omitempty"`
	Schedule        string              `json:"schedule,omitempty"`
	Window          string              `json:"window,omitempty"`
	LastRotated     *output.Time        `json:"lastRotated,omitempty"`
	NextRotation    *output.Time        `json:"nextRotation,omitempty"`
	LastChanged     *output.Time        `json:"lastChanged,omitempty"`
	LastAccessed    *output.Time        `json:"lastAccessed,omitempty"`
	Created         *output.Time        `json:"created,omitempty"`
	Deleted         *output.Time        `json:"deleted,omitempty"`
	Versions        map[string][]string `json:"versions,omitempty"`
	Tags            map[string]string   `json:"tags,omitempty"`
	PrimaryRegion   string              `json:"primaryRegion,omitempty"`
	Replication     []secrets.Replica   `json:"replication,omitempty"`
}

func newSummaryView(s secrets.Summary) summaryView {
	return summaryView{Name: s.Name, ARN: s.ARN, Description: s.Description, KmsKeyID: s.KmsKeyID, RotationEnabled: s.RotationEnabled,
		RotationLambda: s.RotationLambda, RotationDays: s.RotationDays, Schedule: s.Schedule, Window: s.Window,
		LastRotated: output.NewTime(s.LastRotated), NextRotation: output.NewTime(s.NextRotation), LastChanged: output.NewTime(s.LastChanged),
		LastAccessed: output.NewTime(s.LastAccessed), Created: output.NewTime(s.Created), Deleted: output.NewTime(s.Deleted),
		Versions: s.Versions, Tags: s.Tags, PrimaryRegion: s.PrimaryRegion, Replication: s.Replication}
}

// NewCmdLs is `ssmctl secret ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets, Now: f.Now}
	var raw []string
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List secrets (never their values)",
		Long: `List the secrets, sorted by name, every page; never their values.

--filter KEY=VALUE[,VALUE...] keeps the secrets that match (repeatable:
all filters must match, any value of one): name, description, tag-key,
tag-value, primary-region, owning-service or all. Matching is by prefix;
a value starting with ! excludes. Secrets scheduled for deletion are left
out unless --include-planned-deletion.`,
		Example: `  ssmctl secret ls
  ssmctl secret ls --filter name=prod/ --filter tag-key=team
  ssmctl secret ls --include-planned-deletion -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, r := range raw {
				flt, err := secrets.ParseFilter(r)
				if err != nil {
					return cmdutil.FlagErrorf("--filter: %s", err.Error())
				}
				opts.Filters = append(opts.Filters, flt)
			}
			if len(opts.Filters) > 10 {
				return cmdutil.FlagErrorf("--filter: at most 10 filters")
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&raw, "filter", nil, "keep secrets matching `KEY=VALUE` (name, description, tag-key, tag-value, primary-region, owning-service, all)")
	cmd.Flags().BoolVar(&opts.IncludeDeletion, "include-planned-deletion", false, "include secrets scheduled for deletion")
	return cmd
}

func lsRun(ctx context.Context, opts *LsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	list, err := c.List(ctx, opts.Filters, opts.IncludeDeletion)
	if err != nil {
		return err
	}
	views := make([]summaryView, 0, len(list))
	for _, s := range list {
		views = append(views, newSummaryView(s))
	}
	p := opts.Printer()
	now := opts.Now()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"NAME", "DESCRIPTION", "ROTATION", "LAST CHANGED", "DELETED"}, NoTruncate: []int{0, 3}, DropOrder: []int{1, 4}}
		for _, v := range views {
			rot := "off"
			if v.RotationEnabled {
				rot = "on"
			}
			t.Rows = append(t.Rows, []string{v.Name, v.Description, rot, output.TimeLabel(v.LastChanged, now, p.TerminalTable()), output.TimeLabel(v.Deleted, now, p.TerminalTable())})
		}
		return t
	})
}
