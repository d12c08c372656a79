// Package clock is the one time source of ssmctl's waiting loops and rate
// limiters, so tests can run them on fake time.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever is first, and
	// returns ctx.Err() in the second case. A d of zero or less does not
	// wait: it returns ctx.Err() at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// System is the real clock.
type System struct{}

var _ Clock = System{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Sleep waits for d or ctx, whichever is first.
func (System) Sleep(ctx context.Context, d time.Duration) error {
	// A zero timer and a done context can both be ready at once, and select
	// would pick either: answer without a timer, so a cancelled context is
	// always reported.
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// OrSystem returns c, or the system clock if c is nil: the default of every
// optional Clock field.
func OrSystem(c Clock) Clock {
	if c == nil {
		return System{}
	}
	return c
}
