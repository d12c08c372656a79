package secret

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/secrets"
)

// DescribeOptions is what secret describe uses.
type DescribeOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (*secrets.Client, error)
	Now     func() time.Time

	ID string
}

// NewCmdDescribe is `ssmctl secret describe`.
func NewCmdDescribe(f *cmdutil.Factory, runF func(*DescribeOptions) error) *cobra.Command {
	opts := &DescribeOptions{IO: f.IO, Printer: f.Printer, Client: f.Clients().Secrets, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "describe NAME|ARN",
		Short: "Describe a secret (never its value)",
		Long: `Describe a secret, as aws secretsmanager describe-secret does: its ARN,
description, KMS key, rotation (enabled, Lambda, schedule, window, last
and next rotation), versions with their staging labels, when it was
created, last changed and last accessed, when it was scheduled for
deletion, its tags and replication. Never its value.`,
		Example: `  ssmctl secret describe enterprise/ShipDatabase
  ssmctl secret describe enterprise/ShipDatabase -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if err := checkID(opts.ID); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return describeRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeSecrets(f, 1),
	}
	return cmd
}

func describeRun(ctx context.Context, opts *DescribeOptions) error {
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	s, err := c.Describe(ctx, opts.ID)
	if err != nil {
		return err
	}
	v := newSummaryView(*s)
	p := opts.Printer()
	now := opts.Now()
	return p.Print(v, func() output.Table {
		label := func(t *output.Time) string { return output.TimeLabel(t, now, p.TerminalTable()) }
		rows := [][]string{{"Name", v.Name}, {"ARN", v.ARN}}
		add := func(k, val string) {
			if val != "" {
				rows = append(rows, []string{k, val})
			}
		}
		add("Description", v.Description)
		kms := v.KmsKeyID
		if kms == "" {
			kms = "aws/secretsmanager (default)"
		}
		add("KMS key", kms)
		rot := "off"
		if v.RotationEnabled {
			rot = "on"
		}
		add("Rotation", rot)
		add("Rotation Lambda", v.RotationLambda)
		sched := v.Schedule
		if sched == "" && v.RotationDays > 0 {
			sched = "every " + strconv.FormatInt(v.RotationDays, 10) + " days"
		}
		add("Schedule", sched)
		add("Window", v.Window)
		add("Last rotated", label(v.LastRotated))
		add("Next rotation", output.DueLabel(v.NextRotation, now, p.TerminalTable()))
		for i, line := range stagesText(v.Versions) {
			k := ""
			if i == 0 {
				k = "Versions"
			}
			rows = append(rows, []string{k, line})
		}
		add("Created", label(v.Created))
		add("Last changed", label(v.LastChanged))
		add("Last accessed", dateLabel(v.LastAccessed, now, p.TerminalTable()))
		if v.Deleted != nil {
			add("Deleted", label(v.Deleted)+" (scheduled for deletion: ssmctl secret restore "+v.Name+")")
		}
		keys := make([]string, 0, len(v.Tags))
		for k := range v.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			name := ""
			if i == 0 {
				name = "Tags"
			}
			rows = append(rows, []string{name, k + "=" + v.Tags[k]})
		}
		add("Primary region", v.PrimaryRegion)
		for _, r := range v.Replication {
			add("Replica", strings.TrimSpace(r.Region+" "+r.Status+" "+r.Message))
		}
		return output.Table{Headers: []string{"FIELD", "VALUE"}, Rows: rows, NoTruncate: []int{0, 1}}
	})
}
