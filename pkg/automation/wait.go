package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/awsretry"
)

// Following an execution (docs/automation.md): GetAutomationExecution,
// which returns every step, is the one call per poll. Polls start 250 ms
// apart and back off to 1 s while nothing changes (an execution's end is
// seen within a second); while a step sleeps for a known time (aws:sleep's
// Duration) the wait sleeps until the step is due to end instead of
// polling. Reads are retried: a passing failure (throttling, 5xx, no
// answer) never ends the wait, which goes on until the execution ends or
// ctx is cancelled (docs/reliability.md).
const (
	PollStart = 250 * time.Millisecond
	PollMax   = time.Second
	// maxSleepPoll is the longest the wait goes without a poll while a
	// step sleeps.
	maxSleepPoll = 10 * time.Second
	// warnAttempt is the failed attempt in a row at which the wait says
	// once that AWS is not answering as it should.
	warnAttempt = 3
	// forever is the wait's retry deadline: an execution has no timeout of
	// its own that ssmctl knows.
	forever = 100 * 365 * 24 * time.Hour
)

// Event is a step starting or ending.
type Event int

// The events.
const (
	StepStarted Event = iota + 1
	StepEnded
)

// WaitOptions are Wait's callbacks, called from Wait's goroutine.
type WaitOptions struct {
	// OnStep is told of each step as it starts and as it ends (a step seen
	// first already ended is told both).
	OnStep func(ev Event, s Step)
	// OnPoll is told of the execution after every poll.
	OnPoll func(e Execution)
}

// Wait follows an execution to its end and returns it. When ctx ends it
// returns ctx's error with the execution as last seen.
func (c *Client) Wait(ctx context.Context, id string, opts WaitOptions) (Execution, error) {
	clk := c.clock()
	warned := false
	policy := awsretry.Policy{Clock: c.Clock, Deadline: clk.Now().Add(forever), OnRetry: func(err error, attempt int) {
		if attempt >= warnAttempt && !warned && c.Warn != nil {
			warned = true
			c.Warn(fmt.Sprintf("AWS is not answering as it should (%v); retrying", err))
		}
	}}
	seen := map[string]string{} // step execution ID -> status last told
	sleepUntil := map[string]time.Time{}
	interval := time.Duration(0)
	var last Execution
	for {
		e, err := c.get(ctx, id, policy)
		if err != nil {
			return last, err
		}
		last = e
		changed := false
		for _, s := range e.Steps {
			prev, ok := seen[s.ID]
			if !ok {
				changed = true
				if opts.OnStep != nil {
					opts.OnStep(StepStarted, s)
				}
				if d, ok := sleepDuration(s); ok && !Done(s.Status) {
					if s.TimeoutSeconds > 0 {
						d = min(d, time.Duration(s.TimeoutSeconds)*time.Second)
					}
					sleepUntil[s.ID] = clk.Now().Add(d)
				}
			}
			if Done(s.Status) && !Done(prev) {
				changed = true
				if opts.OnStep != nil {
					opts.OnStep(StepEnded, s)
				}
			}
			if prev != s.Status {
				changed = true
			}
			seen[s.ID] = s.Status
		}
		if opts.OnPoll != nil {
			opts.OnPoll(e)
		}
		if Done(e.Status) {
			return e, nil
		}
		if changed {
			interval = PollStart
		} else {
			interval = min(max(interval*2, PollStart), PollMax)
		}
		wait := interval
		if n := len(e.Steps); n > 0 {
			s := e.Steps[n-1]
			if until, ok := sleepUntil[s.ID]; ok && !Done(s.Status) {
				// Asleep until then, looking in at least every
				// maxSleepPoll (someone may stop the execution).
				if left := until.Sub(clk.Now()); left > PollStart {
					wait = min(left, maxSleepPoll)
				}
			}
		}
		if err := clk.Sleep(ctx, wait); err != nil {
			return last, err
		}
	}
}

// isoDuration is aws:sleep's Duration (ISO 8601: PT10M, P1DT2H, PT0.5S).
var isoDuration = lazyre.New(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// sleepDuration is an aws:sleep step's Duration.
func sleepDuration(s Step) (time.Duration, bool) {
	if s.Action != "aws:sleep" {
		return 0, false
	}
	var d string
	if json.Unmarshal([]byte(s.Inputs["Duration"]), &d) != nil {
		return 0, false
	}
	m := isoDuration.FindStringSubmatch(d)
	if m == nil {
		return 0, false
	}
	days, _ := strconv.Atoi(m[1])
	hours, _ := strconv.Atoi(m[2])
	mins, _ := strconv.Atoi(m[3])
	secs, _ := strconv.ParseFloat(m[4], 64)
	return time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour + time.Duration(mins)*time.Minute + time.Duration(secs*float64(time.Second)), true
}
