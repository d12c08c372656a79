package secret

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// HistoryOptions is what secret history uses.
type HistoryOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)
	Now     func() time.Time

	ID string
}

// versionView is one version of a secret, without its value.
type versionView struct {
	VersionID    string       `json:"versionId"`
	Stages       []string     `json:"stages"`
	Created      *output.Time `json:"created,omitempty"`
	LastAccessed *output.Time `json:"lastAccessed,omitempty"`
}

// NewCmdHistory is `ssmctl secret history`.
func NewCmdHistory(f *cmdutil.Factory, runF func(*HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "history NAME|ARN",
		Short: "List a secret's versions and their staging labels (never values)",
		Long: `List a secret's versions, newest first, with their staging labels
(ListSecretVersionIds), deprecated versions (no label) included. Read an
old version's value with secret get --version-id.`,
		Example: `  ssmctl secret history prod/db`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return historyRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	return cmd
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	vs, err := c.History(ctx, opts.ID)
	if err != nil {
		return err
	}
	views := make([]versionView, 0, len(vs))
	for _, v := range vs {
		stages := v.Stages
		if stages == nil {
			stages = []string{}
		}
		views = append(views, versionView{VersionID: v.ID, Stages: stages, Created: output.NewTime(v.Created), LastAccessed: output.NewTime(v.LastAccessed)})
	}
	p := opts.Printer()
	now := opts.Now()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"VERSION", "STAGES", "CREATED", "LAST ACCESSED"}, NoTruncate: []int{0, 2}, DropOrder: []int{3}}
		for _, v := range views {
			stages := strings.Join(v.Stages, ",")
			if stages == "" {
				stages = "-"
			}
			t.Rows = append(t.Rows, []string{v.VersionID, stages, output.TimeLabel(v.Created, now, p.TerminalTable()), dateLabel(v.LastAccessed, now, p.TerminalTable())})
		}
		return t
	})
}
