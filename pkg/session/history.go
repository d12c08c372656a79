package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// HistoryAPI is the part of *ssm.Client that lists and ends sessions.
type HistoryAPI interface {
	DescribeSessions(ctx context.Context, in *ssm.DescribeSessionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeSessionsOutput, error)
	TerminateSession(ctx context.Context, in *ssm.TerminateSessionInput, optFns ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error)
}

var _ HistoryAPI = (*ssm.Client)(nil)

// Record is one session as DescribeSessions reports it.
type Record struct {
	ID          string
	Target      string
	Status      string
	Document    string
	Owner       string
	Reason      string
	Details     string
	OutputURL   string
	MaxDuration string // minutes, as AWS sends it; empty when unlimited
	Start, End  time.Time
}

// States and statuses DescribeSessions knows (botocore: SessionState,
// SessionStatus).
var (
	States   = []string{"Active", "History"}
	Statuses = []string{"Connected", "Connecting", "Disconnected", "Terminated", "Terminating", "Failed"}
)

// ListFilter says which sessions List returns.
type ListFilter struct {
	State string // Active or History
	// Targets keeps sessions to these node IDs. With one, AWS filters; with
	// several, sessions are read once and filtered here, because the
	// Target filter takes one value.
	Targets []string
	Owner   string
	Status  string
	After   time.Time // started at or after
	Before  time.Time // started before
	// ID keeps the one session with this ID (the SessionId filter).
	ID string
}

// describeSessionsPage is the largest page DescribeSessions returns
// (botocore: SessionMaxResults 1..200).
const describeSessionsPage = 200

// List reads sessions with DescribeSessions, following every page.
func List(ctx context.Context, api HistoryAPI, f ListFilter) ([]Record, error) {
	if !slices.Contains(States, f.State) {
		return nil, fmt.Errorf("session state %q: want Active or History", f.State)
	}
	in := &ssm.DescribeSessionsInput{State: types.SessionState(f.State), MaxResults: aws.Int32(describeSessionsPage)}
	add := func(k types.SessionFilterKey, v string) {
		in.Filters = append(in.Filters, types.SessionFilter{Key: k, Value: aws.String(v)})
	}
	if len(f.Targets) == 1 {
		add(types.SessionFilterKeyTargetId, f.Targets[0])
	}
	if f.ID != "" {
		add(types.SessionFilterKeySessionId, f.ID)
	}
	if f.Owner != "" {
		add(types.SessionFilterKeyOwner, f.Owner)
	}
	if f.Status != "" {
		add(types.SessionFilterKeyStatus, f.Status)
	}
	if !f.After.IsZero() {
		add(types.SessionFilterKeyInvokedAfter, f.After.UTC().Format(time.RFC3339))
	}
	if !f.Before.IsZero() {
		add(types.SessionFilterKeyInvokedBefore, f.Before.UTC().Format(time.RFC3339))
	}
	var out []Record
	p := ssm.NewDescribeSessionsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Sessions {
			r := Record{
				ID: aws.ToString(s.SessionId), Target: aws.ToString(s.Target), Status: string(s.Status),
				Document: aws.ToString(s.DocumentName), Owner: aws.ToString(s.Owner), Reason: aws.ToString(s.Reason),
				Details: aws.ToString(s.Details), MaxDuration: aws.ToString(s.MaxSessionDuration),
				Start: aws.ToTime(s.StartDate), End: aws.ToTime(s.EndDate),
			}
			if s.OutputUrl != nil {
				r.OutputURL = firstNonEmpty(aws.ToString(s.OutputUrl.S3OutputUrl), aws.ToString(s.OutputUrl.CloudWatchOutputUrl))
			}
			if len(f.Targets) > 1 && !slices.Contains(f.Targets, r.Target) {
				continue
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Termination is what became of one session: Ended is set when it had
// ended before (its status then, e.g. Terminated or Failed); Err when it
// could not be terminated or does not exist.
type Termination struct {
	ID    string
	Ended string
	Err   error
}

// Lookup finds a session by ID among the active ones, then in the
// history: nil when DescribeSessions knows it in neither.
func Lookup(ctx context.Context, api HistoryAPI, id string) (*Record, error) {
	for _, state := range States {
		recs, err := List(ctx, api, ListFilter{State: state, ID: id})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.ID == id {
				return &r, nil
			}
		}
	}
	return nil, nil
}

// Terminate ends each session, one at a time, and reports every outcome;
// the error is the first failure, if any. Each session is looked up first
// (DescribeSessions by SessionId, active then history), because
// TerminateSession answers success for any ID, even one that never
// existed: an unknown ID is an AWS "not found" (exit 254) and is not sent;
// a session that has ended already is reported so, with its status, and
// not sent either.
func Terminate(ctx context.Context, api HistoryAPI, ids []string) ([]Termination, error) {
	var out []Termination
	var errs []error
	for _, id := range ids {
		t := Termination{ID: id}
		rec, err := Lookup(ctx, api, id)
		switch {
		case err != nil:
			t.Err = err
		case rec == nil:
			t.Err = exitcode.New(exitcode.AWS, "no session %s: DescribeSessions knows it neither as active nor in the history", id)
		case isEnded(rec.Status):
			t.Ended = rec.Status
		default:
			_, t.Err = api.TerminateSession(ctx, &ssm.TerminateSessionInput{SessionId: aws.String(id)})
		}
		if errors.Is(t.Err, context.Canceled) {
			return out, t.Err
		}
		out = append(out, t)
		if t.Err != nil {
			errs = append(errs, t.Err)
		}
	}
	if len(errs) > 0 {
		return out, errs[0]
	}
	return out, nil
}

// isEnded says a session status is final.
func isEnded(status string) bool {
	return status == string(types.SessionStatusTerminated) || status == string(types.SessionStatusFailed)
}

// ValidateSessionID checks an ID against AWS's SessionId shape (1..96
// characters, botocore) and refuses spaces and slashes, which no session ID
// has, so a pasted line or a path is caught before any call.
func ValidateSessionID(id string) error {
	if id == "" || len(id) > 96 {
		return fmt.Errorf("session ID %q: want 1 to 96 characters, e.g. alice-0123456789abcdef0", id)
	}
	if strings.ContainsAny(id, " \t\r\n/") {
		return fmt.Errorf("session ID %q has a space or slash; want e.g. alice-0123456789abcdef0", id)
	}
	return nil
}
