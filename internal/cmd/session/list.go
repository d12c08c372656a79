package session

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// sessionRecordView is a session as `session list` prints it. The JSON names
// are a stable contract (docs/sessions.md).
type sessionRecordView struct {
	SessionID          string       `json:"sessionId"`
	Target             string       `json:"target"`
	Name               string       `json:"name"`
	Status             string       `json:"status"`
	DocumentName       string       `json:"documentName"`
	Owner              string       `json:"owner"`
	Reason             string       `json:"reason"`
	StartDate          *output.Time `json:"startDate"`
	EndDate            *output.Time `json:"endDate"`
	MaxSessionDuration string       `json:"maxSessionDuration"`
	Details            string       `json:"details"`
	OutputURL          string       `json:"outputUrl"`
}

func newSessionRecordView(r session.Record) sessionRecordView {
	v := sessionRecordView{SessionID: r.ID, Target: r.Target, Status: r.Status, DocumentName: r.Document, Owner: r.Owner,
		Reason: r.Reason, MaxSessionDuration: r.MaxDuration, Details: r.Details, OutputURL: r.OutputURL}
	v.StartDate = output.NewTime(r.Start)
	v.EndDate = output.NewTime(r.End)
	return v
}

// ListOptions is what session list uses.
type ListOptions struct {
	IO       *output.Streams
	Printer  func() *output.Printer
	Now      func() time.Time
	Aliases  func() map[string][]string
	Resolver func(ctx context.Context) (*target.Resolver, error)
	Client   func(ctx context.Context) (session.HistoryAPI, error)

	State   string
	Targets []string
	Owner   string
	Status  string
	Since   string
}

// NewCmdList is `ssmctl session list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Printer: f.Printer, Now: f.Now, Aliases: f.Aliases, Resolver: f.Clients().Resolver,
		Client: func(ctx context.Context) (session.HistoryAPI, error) { return f.Clients().SSM(ctx) }}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List active sessions, or past ones with --state History",
		Long: `List Session Manager sessions with DescribeSessions: the active ones by
default, or the ended ones with --state History. --target keeps the sessions
to the nodes a target spec matches; --owner to one IAM principal (its ARN);
--status to one status; --since to sessions started after a time.`,
		Example: `  ssmctl session list
  ssmctl session list --state History --target web-1 --since 24h
  ssmctl session list --owner arn:aws:iam::123456789012:user/alice -o json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.State, err = cmdutil.OneOf("state", opts.State, session.States); err != nil {
				return err
			}
			if opts.Status != "" {
				if opts.Status, err = cmdutil.OneOf("status", opts.Status, session.Statuses); err != nil {
					return err
				}
			}
			if _, err := parseSince(opts.Since, opts.Now()); err != nil {
				return cmdutil.FlagErrorf("%w", err)
			}
			if len(opts.Owner) > 400 {
				return cmdutil.FlagErrorf("--owner is %d characters: at most 400", len(opts.Owner))
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.State, "state", "Active", "sessions in this `state`: Active or History")
	cmdutil.AddTargetFlag(cmd, f, &opts.Targets)
	cmd.Flags().StringVar(&opts.Owner, "owner", "", "sessions started by this IAM principal `ARN`")
	cmd.Flags().StringVar(&opts.Status, "status", "", "sessions with this `status`: "+strings.Join(session.Statuses, ", "))
	cmd.Flags().StringVar(&opts.Since, "since", "", "sessions started after this `time`: a duration ago (90m, 24h, 7d) or a date/time (2026-11-01, RFC 3339)")
	_ = cmd.RegisterFlagCompletionFunc("state", cobra.FixedCompletions(session.States, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(session.Statuses, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// parseSince reads --since (cmdutil.ParseSince).
func parseSince(s string, now time.Time) (time.Time, error) {
	return cmdutil.ParseSince("since", s, now)
}

func listRun(ctx context.Context, opts *ListOptions) error {
	since, _ := parseSince(opts.Since, opts.Now())
	filter := session.ListFilter{State: opts.State, Owner: opts.Owner, Status: opts.Status, After: since}
	if len(opts.Targets) > 0 {
		ids, err := targetIDs(ctx, opts, opts.Targets)
		if err != nil {
			return err
		}
		filter.Targets = ids
	}
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	opts.IO.StartProgress("Listing sessions")
	records, err := session.List(ctx, client, filter)
	opts.IO.StopProgress()
	if err != nil {
		return err
	}
	views := make([]sessionRecordView, 0, len(records))
	ids := make([]string, 0, len(records))
	for _, r := range records {
		views = append(views, newSessionRecordView(r))
		ids = append(ids, r.Target)
	}
	// The targets' names, as run and nodes show them (best effort: a node
	// that is gone keeps its ID alone).
	if len(ids) > 0 {
		if resolver, err := opts.Resolver(ctx); err == nil {
			names := target.Names(ctx, resolver, ids)
			for i := range views {
				views[i].Name = names[views[i].Target]
			}
		}
	}
	if len(views) == 0 && opts.IO.IsStdoutTTY() {
		opts.IO.Infof("No %s sessions.", strings.ToLower(opts.State))
	}
	now, p := opts.Now(), opts.Printer()
	tty := p.TerminalTable()
	history := opts.State == "History"
	return p.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"SESSION", "TARGET", "NAME", "STATUS", "STARTED", "OWNER", "DOCUMENT", "REASON"}, NoTruncate: []int{0, 1, 3}}
		if history {
			t.Headers = []string{"SESSION", "TARGET", "NAME", "STATUS", "STARTED", "ENDED", "OWNER", "DOCUMENT", "REASON"}
		}
		for _, v := range views {
			row := []string{v.SessionID, v.Target, v.Name, v.Status, output.TimeLabel(v.StartDate, now, tty)}
			if history {
				row = append(row, output.TimeLabel(v.EndDate, now, tty))
			}
			t.Rows = append(t.Rows, append(row, shortOwner(v.Owner, tty), v.DocumentName, v.Reason))
		}
		return t
	})
}

// shortOwner shows an IAM principal by its last path element on a
// terminal ("alice" for arn:aws:iam::123456789012:user/alice).
func shortOwner(arn string, tty bool) string {
	if !tty {
		return arn
	}
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// targetIDs turns --target specs into node IDs. A literal node ID is
// taken as it is, so sessions to a node that is gone can still be listed.
func targetIDs(ctx context.Context, opts *ListOptions, raw []string) ([]string, error) {
	specs, err := target.ParseAll(raw, opts.Aliases())
	if err != nil {
		return nil, err
	}
	var ids []string
	var rest []target.Spec
	for _, s := range specs {
		if s.Kind == target.KindID {
			ids = append(ids, s.ID)
		} else {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		resolver, err := opts.Resolver(ctx)
		if err != nil {
			return nil, err
		}
		nodes, err := resolver.Resolve(ctx, target.Query{Specs: rest})
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			ids = append(ids, n.ID)
		}
	}
	return ids, nil
}
