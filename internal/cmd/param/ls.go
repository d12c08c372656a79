package param

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/params"
)

// LsOptions is what param ls uses.
type LsOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Now     func() time.Time
	Client  func(ctx context.Context) (*params.Client, error)

	Path      string
	Recursive bool
	Labels    bool
}

// NewCmdLs is `ssmctl param ls`.
func NewCmdLs(f *cmdutil.Factory, runF func(*LsOptions) error) *cobra.Command {
	opts := &LsOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Client: f.Clients().Params}
	cmd := &cobra.Command{
		Use:   "ls [PATH]",
		Short: "List parameters under a path",
		Long: `List the parameters directly under PATH (every level with -r), without their
values: name, type, tier, version, last modified, modified by and data
type (DescribeParameters with the Path filter). Without PATH, every
parameter of the account and region. --labels reads each parameter's
labels too (one GetParameterHistory call per parameter).

When nothing is directly under PATH but there are parameters deeper, a
note on stderr says so (use -r or param tree); the exit status is 0.`,
		Example: `  ssmctl param ls /app/prod
  ssmctl param ls /app -r --labels
  ssmctl param ls /app -r -o json --query '[?type==` + "`SecureString`" + `].name'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p, err := params.ValidatePath(args[0])
				if err != nil {
					return err
				}
				opts.Path = p
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeParams(f, true),
	}
	cmd.Flags().BoolVarP(&opts.Recursive, "recursive", "r", false, "every level under PATH")
	cmd.Flags().BoolVar(&opts.Labels, "labels", false, "read each parameter's labels (one call per parameter)")
	return cmd
}

func lsRun(ctx context.Context, opts *LsOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing parameters")
	md, err := c.Describe(ctx, opts.Path, opts.Recursive || opts.Path == "")
	if err == nil && opts.Labels {
		err = c.Labels(ctx, md)
	}
	if err == nil && len(md) == 0 && opts.Path != "" && !opts.Recursive {
		err = hintDeeper(ctx, opts.IO, c, opts.Path)
	}
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]metadataView, 0, len(md))
	for _, m := range md {
		views = append(views, newMetadataView(m))
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	return p.Print(views, func() output.Table {
		h := []string{"NAME", "TYPE", "TIER", "VERSION", "LAST MODIFIED", "MODIFIED BY", "DATA TYPE"}
		if opts.Labels {
			h = append(h, "LABELS")
		}
		// TYPE, VERSION and the time are never cut; the data type, then
		// who and when last modified it, then the tier are left out first.
		t := output.Table{Headers: h, NoTruncate: []int{0, 1, 3, 4}, DropOrder: []int{6, 5, 4, 2}}
		for _, v := range views {
			row := []string{v.Name, v.Type, v.Tier, strconv.FormatInt(v.Version, 10), output.TimeLabel(v.LastModified, now, tty), v.LastModifiedUser, v.DataType}
			if opts.Labels {
				row = append(row, labelList(v.Labels))
			}
			t.Rows = append(t.Rows, row)
		}
		return t
	})
}

func labelList(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

// hintDeeper says on stderr, when nothing is directly under path but
// parameters lie deeper, how to see them; ls still prints its empty
// result and exits 0.
func hintDeeper(ctx context.Context, io *output.Streams, c *params.Client, path string) error {
	deeper, err := c.AnyUnder(ctx, path)
	if err != nil || !deeper {
		return err
	}
	io.Infof("No parameters directly under %s; there are some deeper: ssmctl param ls %s -r, or ssmctl param tree %s", path, path, path)
	return nil
}
