package param

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// HistoryOptions is what param history uses.
type HistoryOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*params.Client, error)

	Name    string
	Decrypt bool
}

// NewCmdHistory is `ssmctl param history`.
func NewCmdHistory(f *cmdutil.Factory, runF func(*HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "List a parameter's versions with their labels",
		Long: `List every version AWS keeps of a parameter (the last 100), oldest first, with
its labels, value, tier and who changed it. SecureString values are masked
in tables unless --decrypt is given.`,
		Example: `  ssmctl param history /app/prod/db/url
  ssmctl param history /app/prod/db/password --decrypt -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := params.ValidateName(args[0]); err != nil {
				return err
			}
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return historyRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, false),
	}
	cmd.Flags().BoolVar(&opts.Decrypt, "decrypt", false, "decrypt SecureString values")
	return cmd
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	hist, err := c.History(ctx, opts.Name, opts.Decrypt)
	if err != nil {
		return err
	}
	views := make([]versionView, 0, len(hist))
	for _, h := range hist {
		labels := h.Labels
		if labels == nil {
			labels = []string{}
		}
		views = append(views, versionView{Name: h.Name, Version: h.Version, Type: h.Type, Value: h.Value, Tier: h.Tier, Labels: labels,
			LastModified: output.NewTime(h.LastModified), LastModifiedUser: h.LastModifiedUser, Description: h.Description, DataType: h.DataType})
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"VERSION", "LABELS", "LAST MODIFIED", "MODIFIED BY", "TIER", "VALUE"}, NoTruncate: []int{0, 1, 2}, DropOrder: []int{4, 3, 2}}
		for _, v := range views {
			val := v.Value
			if v.Type == "SecureString" && !opts.Decrypt {
				val = masked
			}
			t.Rows = append(t.Rows, []string{strconv.FormatInt(v.Version, 10), strings.Join(v.Labels, ","), output.TimeLabel(v.LastModified, now, tty), v.LastModifiedUser, v.Tier, val})
		}
		return t
	})
}
