package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ssmctl/ssmctl/internal/cmdutil"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
)

// TerminateOptions is what session terminate uses.
type TerminateOptions struct {
	IO      *output.Streams
	Printer func() *output.Printer
	Client  func(ctx context.Context) (session.HistoryAPI, error)

	IDs []string
}

// terminationView is one line of `session terminate`'s answer.
type terminationView struct {
	SessionID  string `json:"sessionId"`
	Terminated bool   `json:"terminated"`
	// Ended is the status of a session that had ended before (Terminated,
	// Failed); it was not terminated again.
	Ended string `json:"alreadyEnded,omitempty"`
	Error string `json:"error,omitempty"`
}

// NewCmdTerminate is `ssmctl session terminate`.
func NewCmdTerminate(f *cmdutil.Factory, runF func(*TerminateOptions) error) *cobra.Command {
	opts := &TerminateOptions{IO: f.IO, Printer: f.Printer,
		Client: func(ctx context.Context) (session.HistoryAPI, error) { return f.Clients().SSM(ctx) }}
	cmd := &cobra.Command{
		Use:   "terminate SESSION_ID...",
		Short: "End sessions",
		Long: `End sessions with TerminateSession: the node closes the shell or tunnel and
the client is told the session ended. Each session is looked up first
(TerminateSession itself answers success for any ID): an unknown ID fails
with exit 254, and a session that has already ended is said to be so, which
is not an error.`,
		Example: `  ssmctl session terminate alice-0123456789abcdef0
  ssmctl session list -o json --query '[].sessionId' | xargs ssmctl session terminate`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				if err := session.ValidateSessionID(id); err != nil {
					return cmdutil.FlagErrorf("%w", err)
				}
			}
			opts.IDs = args
			if runF != nil {
				return runF(opts)
			}
			return terminateRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeActiveSessions(f),
	}
	return cmd
}

func terminateRun(ctx context.Context, opts *TerminateOptions) error {
	client, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	results, err := session.Terminate(ctx, client, opts.IDs)
	if errors.Is(err, context.Canceled) {
		return err
	}
	views := make([]terminationView, 0, len(results))
	var failures []cmdutil.Failure
	for _, r := range results {
		v := terminationView{SessionID: r.ID, Terminated: r.Err == nil && r.Ended == "", Ended: r.Ended}
		if r.Err != nil {
			failures = append(failures, cmdutil.Failure{Item: r.ID, Err: r.Err})
			v.Error = exitcode.Message(r.Err)
			if len(results) > 1 {
				opts.IO.Warnf("%s: %s", r.ID, v.Error)
			}
		}
		views = append(views, v)
	}
	if perr := opts.Printer().Print(views, func() output.Table {
		t := output.Table{Headers: []string{"SESSION", "RESULT"}, NoTruncate: []int{0}}
		for _, v := range views {
			res := "terminated"
			switch {
			case v.Ended != "":
				res = "already ended (" + v.Ended + ")"
			case v.Error != "":
				res = "failed: " + v.Error
			}
			t.Rows = append(t.Rows, []string{v.SessionID, res})
		}
		return t
	}); perr != nil {
		return perr
	}
	if len(results) == 1 {
		return err // the one session's own error
	}
	// Each failure was warned about; one line sums them up.
	return cmdutil.ItemsError(failures, fmt.Sprintf("%d of %d sessions could not be terminated", len(failures), len(results)))
}

// completeActiveSessions completes the IDs of active sessions.
func completeActiveSessions(f *cmdutil.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.Prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		client, err := f.Clients().SSM(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		records, err := session.List(ctx, client, session.ListFilter{State: "Active"})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, r := range records {
			out = append(out, r.ID+"\t"+r.Target)
		}
		return cmdutil.FilterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
