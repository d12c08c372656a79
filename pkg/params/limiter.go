package params

import (
	"context"
	"sync"
	"time"
)

// Limiter paces requests so that a bulk run stays under the account's
// request quota without knowing it in advance. It is unlimited until the
// first throttle; then it sets its rate to 80% of what was being sent and
// from there adds IncreasePerSuccess requests per second for each success
// and cuts the rate to 80% on throttling, at most once per CutInterval and
// only for requests sent after the previous cut (those sent before were
// already at the old rate). Requests are spaced evenly, 1/rate apart.
//
// Cutting once per interval rather than once per throttle is what keeps
// random throttling (a busy account, or the sandbox's --fault throttle=P)
// from driving the rate to the floor: with a fraction P of calls
// throttled, a second at rate r gains IncreasePerSuccess*(1-P)*r and loses
// at most (1-Beta)*r, which the defaults keep positive up to P = 0.6.
// Against a real quota the rate saws between Beta and a little over the
// quota.
//
// The SDK's adaptive retry mode has a limiter of its own, but it cuts on
// every throttle and drops to half a request per second under sustained
// throttling, and its retry quota runs out after about a hundred throttles;
// bulk calls therefore bypass both and use this one.
type Limiter struct {
	Clock Clock
	// Beta is the factor a throttle multiplies the rate by (0.8).
	Beta float64
	// IncreasePerSuccess is added to the rate (per second) on success (0.5).
	IncreasePerSuccess float64
	// Min and Max bound the rate once limiting has started (0.5 and 10,000).
	Min, Max float64
	// CutInterval is the shortest time between two cuts (1 s).
	CutInterval time.Duration

	mu      sync.Mutex
	rate    float64 // 0: not limiting yet
	next    time.Time
	lastCut time.Time
	// window counts sends for measuring the rate before limiting starts.
	windowStart time.Time
	windowSends int
	lastRate    float64
	throttles   int
}

// NewLimiter returns a limiter with the defaults above.
func NewLimiter(clock Clock) *Limiter {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Limiter{Clock: clock, Beta: 0.8, IncreasePerSuccess: 0.5, Min: 0.5, Max: 10000, CutInterval: time.Second}
}

// Wait blocks until the caller may send, and returns the time it was let
// through, to be given back to Throttled.
func (l *Limiter) Wait(ctx context.Context) (time.Time, error) {
	l.mu.Lock()
	now := l.Clock.Now()
	l.count(now)
	if l.rate == 0 {
		l.mu.Unlock()
		return now, ctx.Err()
	}
	at := now
	if l.next.After(at) {
		at = l.next
	}
	l.next = at.Add(time.Duration(float64(time.Second) / l.rate))
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		if err := l.Clock.Sleep(ctx, d); err != nil {
			return at, err
		}
	}
	return at, nil
}

func (l *Limiter) count(now time.Time) {
	if l.windowStart.IsZero() {
		l.windowStart = now
	}
	if el := now.Sub(l.windowStart); el >= time.Second {
		l.lastRate = float64(l.windowSends) / el.Seconds()
		l.windowStart, l.windowSends = now, 0
	}
	l.windowSends++
}

// Throttled tells the limiter that a request let through at sentAt was
// throttled.
func (l *Limiter) Throttled(sentAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttles++
	now := l.Clock.Now()
	if l.rate > 0 && (sentAt.Before(l.lastCut) || now.Sub(l.lastCut) < l.CutInterval) {
		return
	}
	base := l.rate
	if base == 0 {
		base = l.lastRate
		if el := now.Sub(l.windowStart); el > 0 && float64(l.windowSends)/max(el.Seconds(), 1) > base {
			base = float64(l.windowSends) / max(el.Seconds(), 1)
		}
	}
	l.rate = min(max(base*l.Beta, l.Min), l.Max)
	l.lastCut = now
	// Start the new pace from now: requests already queued at the old
	// pace keep their turns, new ones follow at the new rate.
	if l.next.Before(now) {
		l.next = now
	}
}

// Succeeded tells the limiter that a request went through.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
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
