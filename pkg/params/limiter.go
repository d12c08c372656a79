package params

import (
	"context"
	"sync"
	"time"

	"github.com/ssmctl/ssmctl/pkg/clock"
)

// Limiter paces requests so that a bulk run stays under the account's
// request quota without knowing it in advance.
//
// It is unlimited (the bound on requests in flight paces them) until
// throttling shows a quota: more than two thirds of at least 30 answers in
// the last second throttled. Throttling below that is noise (a busy account,
// or the sandbox's --fault throttle=P) and is only retried, so random
// throttling never slows a run down.
//
// Once limiting, the rate follows the quota:
//
//   - over a quota (the same test), the rate becomes what succeeded in the
//     last second, the quota's best estimate; this can happen at any time,
//     but only for a request sent after the previous cut (those sent
//     before were paced at the old rate);
//   - other throttling multiplies the rate by Beta, at most once per
//     CutInterval;
//   - each success adds IncreasePerSuccess requests per second, so the
//     rate probes up to the quota again within seconds and saws between
//     Beta times the quota and a little over it.
//
// Requests are spaced evenly, 1/rate apart.
//
// The SDK's adaptive retry mode has a limiter of its own, but it cuts on
// every throttle and sinks to half a request per second under sustained
// random throttling, and the standard retry quota (500 tokens, 5 per
// retry) runs out after about a hundred throttles; bulk calls therefore
// bypass both and use this one.
type Limiter struct {
	Clock clock.Clock
	// Beta is the factor a throttle multiplies the rate by (0.9).
	Beta float64
	// IncreasePerSuccess is added to the rate (per second) on success (0.05,
	// so about 5% a second near the quota).
	IncreasePerSuccess float64
	// Min and Max bound the rate once limiting has started (0.5 and 10,000).
	Min, Max float64
	// CutInterval is the shortest time between two cuts (1 s).
	CutInterval time.Duration

	mu        sync.Mutex
	rate      float64 // 0: not limiting yet
	next      time.Time
	lastCut   time.Time
	buckets   [10]bucket // the last second, in tenths
	throttles int
}

type bucket struct {
	start                time.Time
	sends, ok, throttled int
}

const bucketSpan = 100 * time.Millisecond

// minSample is how many answers in the last second it takes to tell a
// quota from noise: with 30 answers, random throttling of 30% looks like a
// quota (more than two thirds throttled) about once in a million windows.
const minSample = 30

// NewLimiter returns a limiter with the defaults above.
func NewLimiter(c clock.Clock) *Limiter {
	return &Limiter{Clock: clock.OrSystem(c), Beta: 0.9, IncreasePerSuccess: 0.05, Min: 0.5, Max: 10000, CutInterval: time.Second}
}

func (l *Limiter) bucket(now time.Time) *bucket {
	start := now.Truncate(bucketSpan)
	b := &l.buckets[(start.UnixNano()/int64(bucketSpan))%int64(len(l.buckets))]
	if !b.start.Equal(start) {
		*b = bucket{start: start}
	}
	return b
}

// window sums the last second and says how long it covers.
func (l *Limiter) window(now time.Time) (sends, ok, throttled int, span time.Duration) {
	oldest := now
	for _, b := range l.buckets {
		if b.start.IsZero() || now.Sub(b.start) >= time.Second {
			continue
		}
		sends += b.sends
		ok += b.ok
		throttled += b.throttled
		if b.start.Before(oldest) {
			oldest = b.start
		}
	}
	return sends, ok, throttled, max(now.Sub(oldest), bucketSpan)
}

// Wait blocks until the caller may send, and returns the time it was let
// through, to be given back to Throttled.
func (l *Limiter) Wait(ctx context.Context) (time.Time, error) {
	l.mu.Lock()
	now := l.Clock.Now()
	if l.rate == 0 {
		l.bucket(now).sends++
		l.mu.Unlock()
		return now, ctx.Err()
	}
	at := now
	if l.next.After(at) {
		at = l.next
	}
	l.next = at.Add(time.Duration(float64(time.Second) / l.rate))
	l.bucket(at).sends++
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		if err := l.Clock.Sleep(ctx, d); err != nil {
			return at, err
		}
	}
	return at, nil
}

// Throttled tells the limiter that a request let through at sentAt was
// throttled.
func (l *Limiter) Throttled(sentAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttles++
	now := l.Clock.Now()
	l.bucket(now).throttled++
	if l.rate > 0 && sentAt.Before(l.lastCut) {
		return
	}
	sends, ok, throttled, span := l.window(now)
	overQuota := throttled > 2*ok && ok+throttled >= minSample
	if !overQuota && (l.rate == 0 || now.Sub(l.lastCut) < l.CutInterval) {
		// Noise: while unlimited, the bound on requests in flight is pace
		// enough; while limiting, one cut per interval.
		return
	}
	base := l.rate
	if base == 0 {
		base = float64(sends) / span.Seconds()
	}
	next := base * l.Beta
	if overQuota {
		// What got through is the best estimate of the quota.
		next = min(next, max(float64(ok)/span.Seconds(), l.Min))
	}
	l.rate = min(max(next, l.Min), l.Max)
	l.lastCut = now
	if l.next.Before(now) {
		l.next = now
	}
}

// Succeeded tells the limiter that a request went through.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(l.Clock.Now()).ok++
	if l.rate > 0 {
		l.rate = min(l.rate+l.IncreasePerSuccess, l.Max)
	}
}

// Rate is the current rate in requests per second; 0 means not limiting.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}

// Throttles is how many throttles the limiter was told about.
func (l *Limiter) Throttles() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.throttles
}
