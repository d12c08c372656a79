package awsretry

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// DefaultBreakerLimit is how many calls in a row that got no answer open
// a Breaker: a dead or stopped endpoint then fails a bulk run in seconds,
// not minutes of every item's retries.
const DefaultBreakerLimit = 10

// Breaker is the circuit breaker of bulk work (param import, cp, mv, rm):
// it counts failed attempts in a row that got no answer from the
// endpoint, and opens after Limit of them; any answer, even an error,
// closes the count again. Once open it stays open: the items not yet
// attempted are reported as such. Safe for concurrent use.
type Breaker struct {
	// Limit is the count that opens it; zero is DefaultBreakerLimit.
	Limit int

	inARow atomic.Int64
	open   atomic.Bool
}

// Record counts the outcome of one attempt.
func (b *Breaker) Record(err error) {
	if b == nil {
		return
	}
	if err != nil && Classify(err).Connection {
		if b.inARow.Add(1) >= int64(b.limit()) {
			b.open.Store(true)
		}
		return
	}
	b.inARow.Store(0)
}

// Open reports whether the breaker has opened.
func (b *Breaker) Open() bool { return b != nil && b.open.Load() }

// ErrBreakerOpen is what an item a bulk run did not attempt, because its
// breaker had opened, fails with (errors.Is).
var ErrBreakerOpen = errors.New("not attempted: the endpoint stopped answering")

// Err is the error of an item not attempted because b is open.
func (b *Breaker) Err() error {
	return fmt.Errorf("%w (%d calls in a row got no answer)", ErrBreakerOpen, b.limit())
}

func (b *Breaker) limit() int {
	if b.Limit <= 0 {
		return DefaultBreakerLimit
	}
	return b.Limit
}
