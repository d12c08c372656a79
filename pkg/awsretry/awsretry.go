// Package awsretry is ssmctl's one rule for failed AWS calls: which
// failures pass (throttling, 5xx, the network), which may have landed
// (anything after the request may have reached AWS), how a read is retried
// until a deadline with a timeout per attempt, and the circuit breaker that
// stops bulk work against an endpoint that does not answer. The reasoning
// is in docs/reliability.md.
//
// Writes that AWS cannot make idempotent are never resent blindly: the
// caller turns the SDK's retries off for them (NoSDKRetries), and after a
// failure that MayHaveLanded looks the result up before sending again
// (SendCommand: a mark in the Comment; PutParameter with overwrite: the
// parameter's version). Where AWS offers an idempotency token
// (ClientRequestToken, ClientToken), one token per logical write, kept
// across its retries, makes resending safe instead.
package awsretry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssmctl/ssmctl/pkg/clock"
)

// Failure is what a failed call's error says about retrying it.
type Failure struct {
	// Passing: the same call may well succeed later (throttling, 5xx,
	// TooManyUpdates, a network failure, an attempt that timed out).
	Passing bool
	// Throttled: AWS refused the call for its rate; it did nothing.
	Throttled bool
	// MayHaveLanded: the request may have reached AWS and been carried
	// out although no answer says so (5xx, a connection closed or reset
	// after the request was written, a timeout waiting for the answer).
	MayHaveLanded bool
	// Connection: no HTTP answer came at all (refused, reset, timed out).
	Connection bool
}

// Classify tells what err says about retrying the call that returned it.
// The caller's own cancellation is never passing.
func Classify(err error) Failure {
	if err == nil || errors.Is(err, context.Canceled) {
		return Failure{}
	}
	var timeout *AttemptTimeoutError
	if errors.As(err, &timeout) {
		return Failure{Passing: true, MayHaveLanded: true, Connection: true}
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return Failure{Passing: true, Throttled: true}
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "TooManyUpdates":
			// Parameter Store refused: another update of the same
			// parameter is in progress. Nothing was written.
			return Failure{Passing: true}
		case "InternalServerError", "InternalFailure", "ServiceUnavailable", "InternalError":
			return Failure{Passing: true, MayHaveLanded: true}
		}
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() >= 500 {
		return Failure{Passing: true, MayHaveLanded: true}
	}
	if api != nil {
		return Failure{} // AWS answered, and not with a passing error
	}
	if notSent(err) {
		return Failure{Passing: true, Connection: true}
	}
	var send *smithyhttp.RequestSendError
	var netErr net.Error
	if errors.As(err, &send) || errors.As(err, &netErr) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return Failure{Passing: true, MayHaveLanded: true, Connection: true}
	}
	return Failure{}
}

// notSent reports failures that happen before a request can be written:
// the connection was refused or the name did not resolve.
func notSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// AttemptTimeoutError is one attempt that got no answer within its own
// timeout. The request may have reached AWS.
type AttemptTimeoutError struct {
	Timeout time.Duration
	Err     error
}

func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("no answer within %s: %v", e.Timeout, e.Err)
}

func (e *AttemptTimeoutError) Unwrap() error { return e.Err }

// NoSDKRetries is the retryer of calls this package retries, or that must
// not be resent blindly: one attempt, no client-side rate limit. Set it per
// call: func(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() }.
func NoSDKRetries() aws.Retryer { return aws.NopRetryer{} }

// Defaults of Policy.
const (
	// DefaultAttemptTimeout bounds one attempt of a read: a listing of
	// 50 invocations with their output is answered in well under a
	// second, so 20 s without an answer means the endpoint is stuck.
	DefaultAttemptTimeout = 20 * time.Second
	// DefaultBudget is how long a read without a deadline of its own
	// goes on retrying passing failures.
	DefaultBudget = time.Minute
	// DefaultMaxFailures: a read without a deadline of its own gives up
	// after this many failures other than throttling (5xx, no answer),
	// or DefaultMaxUnreachable in a row where the request could not be
	// sent at all (connection refused, no such host): nothing has been
	// started that giving up would abandon, and an endpoint that is not
	// there should fail the command in a second or two.
	DefaultMaxFailures    = 8
	DefaultMaxUnreachable = 4
	baseDelay             = 200 * time.Millisecond
	maxDelay              = 5 * time.Second
)

// Policy is how a read is retried.
type Policy struct {
	// Deadline: no attempt starts after it, and none runs past it. Zero
	// is Budget after the first attempt starts, with at most
	// MaxFailures failures other than throttling (nothing has been
	// started that a wait would abandon).
	Deadline time.Time
	// Budget is the deadline's length when Deadline is zero; zero is
	// DefaultBudget.
	Budget time.Duration
	// AttemptTimeout bounds each attempt; zero is DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// MaxFailures: give up after this many failures other than
	// throttling, or after DefaultMaxUnreachable in a row that could not
	// be sent; zero is no limit with a Deadline, and DefaultMaxFailures
	// without.
	MaxFailures int
	// Clock defaults to the system clock.
	Clock clock.Clock
	// OnRetry, if set, is told of each failure that will be retried.
	OnRetry func(err error, attempt int)
}

// Do calls fn until it succeeds, fails with an error that is not passing,
// or the policy's deadline comes; then it returns fn's last error. Each
// attempt runs with its own timeout (an attempt that times out returns an
// *AttemptTimeoutError) and waits between attempts grow exponentially with
// full jitter, from 200 ms to 5 s. fn must be safe to repeat: Do is for
// reads and for writes made idempotent by a token.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	clk := clock.OrSystem(p.Clock)
	deadline := p.Deadline
	maxFailures := p.MaxFailures
	if deadline.IsZero() {
		deadline = clk.Now().Add(cmp(p.Budget, DefaultBudget))
		if maxFailures == 0 {
			maxFailures = DefaultMaxFailures
		}
	}
	perAttempt := cmp(p.AttemptTimeout, DefaultAttemptTimeout)
	failures, unreachable := 0, 0
	for attempt := 1; ; attempt++ {
		err := Attempt(ctx, min(perAttempt, max(deadline.Sub(clk.Now()), time.Millisecond)), fn)
		if err == nil || ctx.Err() != nil {
			return err
		}
		f := Classify(err)
		if !f.Passing {
			return err
		}
		if !f.Throttled {
			failures++
		}
		if f.Connection && !f.MayHaveLanded {
			unreachable++
		} else {
			unreachable = 0
		}
		if maxFailures > 0 && (failures >= maxFailures || unreachable >= min(maxFailures, DefaultMaxUnreachable)) {
			return err
		}
		wait := Backoff(attempt)
		if !clk.Now().Add(wait).Before(deadline) {
			return err
		}
		if p.OnRetry != nil {
			p.OnRetry(err, attempt)
		}
		if err := clk.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Attempt runs fn once with a timeout of its own. If the timeout, not
// ctx, ended it, the error is an *AttemptTimeoutError.
func Attempt(ctx context.Context, timeout time.Duration, fn func(ctx context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := fn(actx)
	if err != nil && ctx.Err() == nil && actx.Err() == context.DeadlineExceeded {
		return &AttemptTimeoutError{Timeout: timeout, Err: err}
	}
	return err
}

// Backoff is the wait before attempt+1: full jitter over a ceiling that
// starts at 200 ms and doubles per attempt, at most 5 s.
func Backoff(attempt int) time.Duration {
	ceil := min(baseDelay<<min(max(attempt-1, 0), 10), maxDelay)
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

func cmp(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Get is Do for a call that returns a value.
func Get[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := Do(ctx, p, func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	return out, err
}
