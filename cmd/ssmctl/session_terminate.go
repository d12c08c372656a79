package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/output"
	"github.com/ssmctl/ssmctl/pkg/session"
)

type sessionTerminateOptions struct {
	f      *factory
	IDs    []string
	client func(ctx context.Context) (*ssm.Client, error)
}

// terminationView is one line of `session terminate`'s answer.
type terminationView struct {
	SessionID  string `json:"sessionId"`
	Terminated bool   `json:"terminated"`
	Error      string `json:"error,omitempty"`
}

func newSessionTerminateCmd(f *factory, runF func(*sessionTerminateOptions) error) *cobra.Command {
	opts := &sessionTerminateOptions{f: f, client: ssmClient(f)}
	cmd := &cobra.Command{
		Use:   "terminate SESSION_ID...",
		Short: "End sessions",
		Long: `End sessions with TerminateSession: the node closes the shell or tunnel and
the client is told the session ended. Ending a session that has already ended
is not an error, as in AWS.`,
		Example: `  ssmctl session terminate alice-0123456789abcdef0
  ssmctl session list -o json --query '[].sessionId' | xargs ssmctl session terminate`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, id := range args {
				if err := session.ValidateSessionID(id); err != nil {
					return newUsageError(cmd, err)
				}
			}
			opts.IDs = args
			if runF != nil {
				return runF(opts)
			}
			return sessionTerminateRun(cmd.Context(), opts)
		},
		ValidArgsFunction: completeActiveSessions(f),
	}
	return cmd
}

func sessionTerminateRun(ctx context.Context, opts *sessionTerminateOptions) error {
	f := opts.f
	client, err := opts.client(ctx)
	if err != nil {
		return err
	}
	results, err := session.Terminate(ctx, client, opts.IDs)
	if errors.Is(err, context.Canceled) {
		return err
	}
	views := make([]terminationView, 0, len(results))
	failed := 0
	for _, r := range results {
		v := terminationView{SessionID: r.ID, Terminated: r.Err == nil}
		if r.Err != nil {
			failed++
			v.Error = exitcode.Message(r.Err)
			if len(results) > 1 {
				f.streams.Warnf("%s: %s", r.ID, v.Error)
			}
		}
		views = append(views, v)
	}
	if perr := f.printer.Print(views, func() output.Table {
		t := output.Table{Headers: []string{"SESSION", "RESULT"}, NoTruncate: []int{0}}
		for _, v := range views {
			res := "terminated"
			if !v.Terminated {
				res = "failed: " + v.Error
			}
			t.Rows = append(t.Rows, []string{v.SessionID, res})
		}
		return t
	}); perr != nil {
		return perr
	}
	switch {
	case failed == 0:
		return nil
	case len(results) == 1:
		return err
	default:
		return exitcode.New(exitcode.AWS, "%d of %d sessions could not be terminated", failed, len(results))
	}
}

// completeActiveSessions completes the IDs of active sessions.
func completeActiveSessions(f *factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if err := f.prepare(cmd); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		client, err := ssmClient(f)(ctx)
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
		return filterPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}
