package runcmd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Exactly-once sending (docs/reliability.md). SendCommand has no
// idempotency token, and a resent SendCommand runs the command again, so
// the SDK never retries it: each send carries a mark in its Comment
// ("ssmctl:<run>.<batch>"), and after a failure that may have landed the
// commands sent since just before it are listed (ListCommands, which
// returns comments) and searched for the mark before sending again.
const (
	markPrefix = "ssmctl:"
	// runTokenLen random characters name a run: 36^12 makes a clash of
	// two runs in the same few minutes out of the question.
	runTokenLen = 12
	// sendAttemptTimeout bounds one SendCommand: it is answered in well
	// under a second; a send with no answer by then is looked up.
	sendAttemptTimeout = 30 * time.Second
	// sendBudget is how long passing failures of one send are retried.
	sendBudget = 2 * time.Minute
	// maxSendConnectionFailures: a send gives up after this many
	// attempts in a row that could not be sent (connection refused).
	maxSendConnectionFailures = 4
)

// lookupDelays space the lookups of a mark after a failure that may have
// landed: AWS lists a new command within moments, not always at once.
var lookupDelays = []time.Duration{0, time.Second, 3 * time.Second}

// newRunToken is a random lowercase name for a run's marks.
func newRunToken() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, runTokenLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// sendMark is the mark of a run's batch-th SendCommand (from 1).
func sendMark(run string, batch int) string {
	return fmt.Sprintf("%s%s.%d", markPrefix, run, batch)
}

// markComment is the Comment sent: the user's comment, cut to leave room
// within AWS's 100 characters, a space, and the mark.
func markComment(user, mark string) string {
	user = strings.TrimSpace(user)
	if user == "" {
		return mark
	}
	room := maxCommentLen - len(mark) - 1
	if r := []rune(user); len(r) > room {
		user = strings.TrimSpace(string(r[:room]))
	}
	return user + " " + mark
}

// hasMark reports whether comment was sent with mark.
func hasMark(comment, mark string) bool {
	return comment == mark || strings.HasSuffix(comment, " "+mark)
}

func noSDKRetries(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() }

// errNotSent is a send given up because the run was interrupted before
// AWS took it.
var errNotSent = errors.New("not sent: interrupted")

// UnsureError is a send that may have reached AWS, which ssmctl could not
// confirm either way: the command may be running. The mark finds it.
type UnsureError struct {
	Mark string
	Err  error
}

func (e *UnsureError) Error() string {
	return fmt.Sprintf("SendCommand may have been carried out, and looking it up failed (%v): find it by the comment %q in `ssmctl run list`", e.Err, e.Mark)
}

func (e *UnsureError) Unwrap() error { return e.Err }

// sendOnce sends in, marked with mark, and returns the command AWS made of
// it: exactly one, whatever is lost on the way. Passing failures are
// retried (with back-off, for sendBudget) only once AWS is known not to
// have the command. stop, when closed (the run was interrupted), ends
// the retries: a send that may have landed is still looked up, else it
// returns errNotSent. ctx should not be the one an interrupt cancels: a
// send cut short cannot be told from one that landed.
func (c *Client) sendOnce(ctx context.Context, in *ssm.SendCommandInput, mark string, stop <-chan struct{}) (*types.Command, error) {
	clk := c.clock()
	in.Comment = aws.String(markComment(aws.ToString(in.Comment), mark))
	since := clk.Now()
	deadline := since.Add(sendBudget)
	connFailures := 0
	for attempt := 1; ; attempt++ {
		var out *ssm.SendCommandOutput
		err := awsretry.Attempt(ctx, c.attemptTimeout(sendAttemptTimeout), func(ctx context.Context) error {
			var err error
			out, err = c.API.SendCommand(ctx, in, noSDKRetries)
			return err
		})
		if err == nil {
			if out.Command == nil || aws.ToString(out.Command.CommandId) == "" {
				return nil, errors.New("SendCommand: AWS returned no command ID")
			}
			return out.Command, nil
		}
		f := awsretry.Classify(err)
		if !f.Passing {
			return nil, err
		}
		if f.MayHaveLanded {
			cmd, lerr := c.findMarked(ctx, mark, since)
			switch {
			case lerr != nil:
				return nil, &UnsureError{Mark: mark, Err: lerr}
			case cmd != nil:
				return cmd, nil
			}
		}
		if f.Connection && !f.MayHaveLanded {
			connFailures++
		} else {
			connFailures = 0
		}
		wait := awsretry.Backoff(attempt)
		if connFailures >= maxSendConnectionFailures || !clk.Now().Add(wait).Before(deadline) {
			return nil, err
		}
		select {
		case <-stop:
			return nil, errNotSent
		default:
		}
		if err := clk.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		select {
		case <-stop:
			return nil, errNotSent
		default:
		}
	}
}

// findMarked looks for the command sent with mark, invoked after since
// (less the clock skew SigV4 allows), a few times spaced by
// lookupDelays. It returns nil when none of the lookups finds it: AWS
// did not take the send. An error means it could not look.
func (c *Client) findMarked(ctx context.Context, mark string, since time.Time) (*types.Command, error) {
	after := since.Add(-clockSkewMargin).UTC().Truncate(time.Second).Format(time.RFC3339)
	clk := c.clock()
	var lastErr error
	looked := false
	for _, d := range lookupDelays {
		if err := clk.Sleep(ctx, d); err != nil {
			return nil, err
		}
		cmd, err := c.scanForMark(ctx, after, mark)
		if err != nil {
			lastErr = err
			continue
		}
		looked = true
		if cmd != nil {
			return cmd, nil
		}
	}
	if !looked {
		return nil, lastErr
	}
	return nil, nil
}

// scanForMark pages through the commands invoked after after for the one
// whose comment carries mark.
func (c *Client) scanForMark(ctx context.Context, after, mark string) (*types.Command, error) {
	in := &ssm.ListCommandsInput{
		Filters:    []types.CommandFilter{{Key: types.CommandFilterKeyInvokedAfter, Value: aws.String(after)}},
		MaxResults: aws.Int32(invocationsPage),
	}
	seen := map[string]bool{}
	for {
		var out *ssm.ListCommandsOutput
		err := awsretry.Do(ctx, c.readPolicy(time.Time{}), func(ctx context.Context) error {
			var err error
			out, err = c.API.ListCommands(ctx, in, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, cmd := range out.Commands {
			if hasMark(aws.ToString(cmd.Comment), mark) {
				return &cmd, nil
			}
		}
		next := aws.ToString(out.NextToken)
		if next == "" || seen[next] {
			return nil, nil
		}
		seen[next] = true
		in.NextToken = aws.String(next)
	}
}

// readPolicy is how the run's reads are retried: until deadline (zero:
// awsretry's budget for reads that nothing waits on), each attempt with
// its own timeout.
func (c *Client) readPolicy(deadline time.Time) awsretry.Policy {
	return awsretry.Policy{Deadline: deadline, AttemptTimeout: c.attemptTimeout(awsretry.DefaultAttemptTimeout), Clock: c.Clock}
}

func (c *Client) attemptTimeout(def time.Duration) time.Duration {
	if c.AttemptTimeout > 0 {
		return c.AttemptTimeout
	}
	return def
}

// unsure reports whether err is a send that may have landed unseen.
func unsure(err error) bool {
	var u *UnsureError
	return errors.As(err, &u)
}

// sendError is a failed send's error: one that may have landed unseen
// exits 255 (AWS said nothing), others keep their code.
func sendError(err error) error {
	if unsure(err) {
		return exitcode.Wrap(exitcode.Other, err)
	}
	return err
}
