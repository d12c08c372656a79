package params

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/clock"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Retry bounds of bulk calls: throttling is retried for as long as it
// takes (the limiter slows down, and each retry waits a jittered moment
// that doubles per throttle, up to 2 s), up to maxThrottled attempts as a guard
// against an account that throttles everything; other passing failures
// (5xx, connection errors, TooManyUpdates) up to maxTransient attempts with
// exponential backoff, and at most awsretry.DefaultMaxUnreachable
// in a row that could not be sent at all (connection refused).
const (
	maxThrottled = 500
	maxTransient = 8
	// attemptTimeout bounds one call: a stuck endpoint costs a retry,
	// not the run.
	attemptTimeout = 20 * time.Second
)

// withoutSDKRetries is a per-call option that leaves retrying to call.
func withoutSDKRetries(o *ssm.Options) { o.Retryer = awsretry.NoSDKRetries() }

func (c *Client) limiter(read bool) *Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	if read {
		if c.ReadLimiter == nil {
			c.ReadLimiter = NewLimiter(c.clock())
		}
		return c.ReadLimiter
	}
	if c.Limiter == nil {
		c.Limiter = NewLimiter(c.clock())
	}
	return c.Limiter
}

func (c *Client) clock() clock.Clock { return clock.OrSystem(c.Clock) }

// Stats counts what a bulk run's calls met.
type Stats struct {
	Calls     atomic.Int64
	Throttled atomic.Int64
	Retried   atomic.Int64
}

// IsThrottle reports whether err is a throttling error.
func IsThrottle(err error) bool { return awsretry.Classify(err).Throttled }

// landedCheck tells, after a failure that may have landed, whether it
// did (the write must not be made again) and how it ended.
type landedCheck func(ctx context.Context) (landed bool, err error)

// call runs one AWS request, fn, paced by the limiter, retrying throttling
// and passing failures (awsretry.Classify). uncertain reports that an
// earlier attempt failed in a way that does not prove it had no effect.
// With check, such a failure is not retried blindly: check looks first,
// and a write that landed ends the call as a success.
func (c *Client) call(ctx context.Context, st *Stats, fn func(ctx context.Context, opt func(*ssm.Options)) error) (uncertain bool, err error) {
	return c.callWith(ctx, c.limiter(false), st, nil, fn)
}

// read is call for reads, which have their own quota and limiter.
func (c *Client) read(ctx context.Context, fn func(ctx context.Context, opt func(*ssm.Options)) error) error {
	_, err := c.callWith(ctx, c.limiter(true), nil, nil, fn)
	return err
}

func (c *Client) callWith(ctx context.Context, l *Limiter, st *Stats, check landedCheck, fn func(ctx context.Context, opt func(*ssm.Options)) error) (uncertain bool, err error) {
	throttled, transient, unreachable := 0, 0, 0
	for {
		if c.Breaker.Open() {
			return uncertain, c.Breaker.Err()
		}
		sent, err := l.Wait(ctx)
		if err != nil {
			return uncertain, err
		}
		if st != nil {
			st.Calls.Add(1)
		}
		err = awsretry.Attempt(ctx, attemptTimeout, func(ctx context.Context) error { return fn(ctx, withoutSDKRetries) })
		c.Breaker.Record(err)
		f := awsretry.Classify(err)
		switch {
		case err == nil:
			l.Succeeded()
			return uncertain, nil
		case ctx.Err() != nil:
			return uncertain, err
		case f.Throttled:
			l.Throttled(sent)
			if st != nil {
				st.Throttled.Add(1)
			}
			throttled++
			if throttled >= maxThrottled {
				return uncertain, err
			}
			// A short jittered pause as well, so a lone caller (or one
			// the limiter is not pacing yet) does not retry in a tight
			// loop: up to 10 ms, doubling per throttle of this call, at
			// most 2 s.
			ceil := min(10*time.Millisecond<<min(throttled-1, 8), 2*time.Second)
			if err := c.clock().Sleep(ctx, time.Duration(rand.Int64N(int64(ceil)))); err != nil {
				return uncertain, err
			}
		case f.Passing:
			uncertain = uncertain || f.MayHaveLanded
			if f.MayHaveLanded && check != nil {
				landed, cerr := check(ctx)
				if cerr != nil {
					return uncertain, fmt.Errorf("%w; it may have been written, and reading it back failed: %w", err, cerr)
				}
				if landed {
					return uncertain, nil
				}
			}
			transient++
			if f.Connection && !f.MayHaveLanded {
				unreachable++
			} else {
				unreachable = 0
			}
			if transient >= maxTransient || unreachable >= awsretry.DefaultMaxUnreachable {
				return uncertain, err
			}
			// Full jitter over an exponential ceiling, 100 ms to 5 s.
			ceil := min(100*time.Millisecond<<transient, 5*time.Second)
			if err := c.clock().Sleep(ctx, time.Duration(rand.Int64N(int64(ceil)))); err != nil {
				return uncertain, err
			}
		default:
			return uncertain, err
		}
		if st != nil {
			st.Retried.Add(1)
		}
	}
}

// Action is what a bulk write did, or would do, to one parameter.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Delete    Action = "delete"
)

// WriteResult is the outcome of one write of a bulk run.
type WriteResult struct {
	Name    string
	Action  Action
	Version int64
	// Verified: the write's answer was not seen, and reading the
	// parameter back showed it in place: a create that met
	// ParameterAlreadyExists holding the value being written (an earlier
	// attempt had landed, or someone wrote the same value), or an
	// overwrite whose lost answer had landed (a version after PrevVersion
	// holds the value).
	Verified bool
	Tier     string
	Err      error
}

// WriteAll writes every put, at most Concurrency at a time, paced by the
// limiter. A put without Overwrite is a create: if AWS answers
// ParameterAlreadyExists, the parameter is read back, and the same type and
// value count as success. progress, if set, is called after each write.
// The results are in the order of puts.
func (c *Client) WriteAll(ctx context.Context, puts []Put, st *Stats, progress func(done, failed int)) []WriteResult {
	results := make([]WriteResult, len(puts))
	n := c.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	var done, failed atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(n, max(len(puts), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = c.writeOne(ctx, puts[i], st)
				d := done.Add(1)
				f := failed.Load()
				if results[i].Err != nil {
					f = failed.Add(1)
				}
				if progress != nil {
					progress(int(d), int(f))
				}
			}
		}()
	}
	for i := range puts {
		if ctx.Err() != nil {
			results[i] = WriteResult{Name: puts[i].Name, Err: ctx.Err()}
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

func (c *Client) writeOne(ctx context.Context, p Put, st *Stats) WriteResult {
	r := WriteResult{Name: p.Name, Action: Create}
	if p.Overwrite {
		r.Action = Update
	}
	in := p.input()
	var out *ssm.PutParameterOutput
	// A write that AWS carried out but whose answer was lost must not be
	// made again (an overwrite would add a version; a create would meet
	// ParameterAlreadyExists, each answer of which may be lost too): look
	// first.
	check := func(ctx context.Context) (bool, error) {
		v, landed, err := c.writeLanded(ctx, p)
		if landed {
			r.Version, r.Verified = v, true
		}
		return landed, err
	}
	_, err := c.callWith(ctx, c.limiter(false), st, check, func(ctx context.Context, opt func(*ssm.Options)) error {
		var err error
		out, err = c.API.PutParameter(ctx, in, opt)
		return err
	})
	if err == nil {
		if !r.Verified {
			r.Version, r.Tier = out.Version, string(out.Tier)
		}
		return r
	}
	var exists *types.ParameterAlreadyExists
	if p.Overwrite || !errors.As(err, &exists) {
		r.Err = err
		return r
	}
	// The create may have landed on an attempt whose answer was lost, or
	// someone else created it: it is a success only if it holds our value.
	var got *ssm.GetParameterOutput
	gerr := c.read(ctx, func(ctx context.Context, opt func(*ssm.Options)) error {
		var err error
		got, err = c.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.Name), WithDecryption: aws.Bool(true)}, opt)
		return err
	})
	if gerr != nil {
		r.Err = fmt.Errorf("%s exists, and reading it back failed: %w", p.Name, gerr)
		return r
	}
	gp := got.Parameter
	if aws.ToString(gp.Value) != p.Value || (p.Type != "" && string(gp.Type) != p.Type) {
		r.Err = exitcode.New(exitcode.AWS, "%s: ParameterAlreadyExists: it exists with a different value (use --overwrite to replace it)", p.Name)
		return r
	}
	r.Version = gp.Version
	r.Verified = true
	return r
}

// maxVersionsChecked bounds how many versions written since an
// overwrite's PrevVersion are read back to find its value.
const maxVersionsChecked = 10

// writeLanded reads p's parameter back after a failure that may have
// landed: the write landed when a version after p.PrevVersion (0 for a
// create) holds its value (PrevVersion+1, unless someone else wrote
// since). It returns that version.
func (c *Client) writeLanded(ctx context.Context, p Put) (int64, bool, error) {
	get := func(selector string) (*types.Parameter, error) {
		var got *ssm.GetParameterOutput
		err := c.read(ctx, func(ctx context.Context, opt func(*ssm.Options)) error {
			var err error
			got, err = c.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(selector), WithDecryption: aws.Bool(true)}, opt)
			return err
		})
		if err != nil {
			return nil, err
		}
		return got.Parameter, nil
	}
	ours := func(gp *types.Parameter) bool {
		return aws.ToString(gp.Value) == p.Value && (p.Type == "" || string(gp.Type) == p.Type)
	}
	latest, err := get(p.Name)
	if IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if latest.Version <= p.PrevVersion {
		return 0, false, nil
	}
	if ours(latest) {
		return latest.Version, true, nil
	}
	for v := p.PrevVersion + 1; v < latest.Version && v <= p.PrevVersion+maxVersionsChecked; v++ {
		gp, err := get(fmt.Sprintf("%s:%d", p.Name, v))
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return 0, false, err
		}
		if ours(gp) {
			return v, true, nil
		}
	}
	return 0, false, nil
}

// Delete deletes names 10 per DeleteParameters call, paced by the
// limiter like WriteAll. A name AWS reports missing on a retried call
// counts as deleted when an earlier attempt may have deleted it.
func (c *Client) Delete(ctx context.Context, names []string, st *Stats, progress func(done int)) (deleted, missing []string, err error) {
	for _, n := range names {
		if err := ValidateName(n); err != nil {
			return nil, nil, err
		}
	}
	for _, batch := range chunks(unique(names), BatchSize) {
		var out *ssm.DeleteParametersOutput
		uncertain, err := c.call(ctx, st, func(ctx context.Context, opt func(*ssm.Options)) error {
			var err error
			out, err = c.API.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: batch}, opt)
			return err
		})
		if err != nil {
			return deleted, missing, err
		}
		deleted = append(deleted, out.DeletedParameters...)
		if uncertain {
			deleted = append(deleted, out.InvalidParameters...)
		} else {
			missing = append(missing, out.InvalidParameters...)
		}
		if progress != nil {
			progress(len(deleted) + len(missing))
		}
	}
	return deleted, missing, nil
}
