package awsretry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(code string, status int) error {
	return &smithy.OperationError{ServiceID: "SSM", OperationName: "SendCommand", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "m"},
	}}
}

func sendErr(err error) error {
	return &smithy.OperationError{ServiceID: "SSM", OperationName: "SendCommand",
		Err: &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: "http://x", Err: err}}}
}

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name string
		err  error
		want Failure
	}{
		{"nil", nil, Failure{}},
		{"cancelled", context.Canceled, Failure{}},
		{"throttling", apiErr("ThrottlingException", 400), Failure{Passing: true, Throttled: true}},
		{"too many updates", apiErr("TooManyUpdates", 400), Failure{Passing: true}},
		{"internal error", apiErr("InternalServerError", 500), Failure{Passing: true, MayHaveLanded: true}},
		{"unmodelled 503", apiErr("Whatever", 503), Failure{Passing: true, MayHaveLanded: true}},
		{"validation", apiErr("ValidationException", 400), Failure{}},
		{"not found", apiErr("ParameterNotFound", 400), Failure{}},
		{"refused", sendErr(refused), Failure{Passing: true, Connection: true}},
		{"dns", sendErr(&net.DNSError{Err: "no such host", Name: "x"}), Failure{Passing: true, Connection: true}},
		{"reset", sendErr(reset), Failure{Passing: true, MayHaveLanded: true, Connection: true}},
		{"eof", sendErr(io.EOF), Failure{Passing: true, MayHaveLanded: true, Connection: true}},
		{"attempt timeout", &AttemptTimeoutError{Timeout: time.Second, Err: context.DeadlineExceeded}, Failure{Passing: true, MayHaveLanded: true, Connection: true}},
		{"other", errors.New("boom"), Failure{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %+v, want %+v", tt.err, got, tt.want)
			}
		})
	}
}

// fakeClock advances only when slept on.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	return nil
}

func TestDoRetriesPassingFailuresUntilSuccess(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	calls := 0
	err := Do(context.Background(), Policy{Clock: clk, Deadline: clk.now.Add(time.Hour)}, func(context.Context) error {
		calls++
		switch calls {
		case 1:
			return apiErr("ThrottlingException", 400)
		case 2:
			return apiErr("InternalServerError", 500)
		case 3:
			return sendErr(io.EOF)
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Fatalf("Do = %v after %d calls, want success after 4", err, calls)
	}
}

func TestDoStopsAtFinalError(t *testing.T) {
	calls := 0
	err := Do(context.Background(), Policy{Clock: &fakeClock{}}, func(context.Context) error {
		calls++
		return apiErr("AccessDeniedException", 400)
	})
	if err == nil || calls != 1 {
		t.Fatalf("Do = %v after %d calls, want the error after 1", err, calls)
	}
}

func TestDoGivesUpAtDeadline(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	deadline := clk.now.Add(30 * time.Second)
	calls := 0
	err := Do(context.Background(), Policy{Clock: clk, Deadline: deadline}, func(context.Context) error {
		calls++
		return apiErr("ThrottlingException", 400)
	})
	if err == nil {
		t.Fatal("Do succeeded")
	}
	if clk.now.After(deadline) {
		t.Errorf("slept until %s, past the deadline %s", clk.now, deadline)
	}
	if calls < 5 {
		t.Errorf("%d calls in 30 s of throttling, want several", calls)
	}
}

func TestDoWithoutDeadlineStopsAfterFailures(t *testing.T) {
	calls := 0
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	err := Do(context.Background(), Policy{Clock: &fakeClock{}}, func(context.Context) error {
		calls++
		return sendErr(refused)
	})
	if err == nil || calls != DefaultMaxUnreachable {
		t.Fatalf("Do = %v after %d calls, want failure after %d", err, calls, DefaultMaxUnreachable)
	}
	// Answers that fail go on longer.
	calls = 0
	err = Do(context.Background(), Policy{Clock: &fakeClock{}}, func(context.Context) error {
		calls++
		return apiErr("InternalServerError", 500)
	})
	if err == nil || calls != DefaultMaxFailures {
		t.Fatalf("Do = %v after %d calls, want failure after %d", err, calls, DefaultMaxFailures)
	}
	// Throttling alone goes on for the budget.
	calls = 0
	clk := &fakeClock{now: time.Unix(1000, 0)}
	err = Do(context.Background(), Policy{Clock: clk}, func(context.Context) error {
		calls++
		return apiErr("ThrottlingException", 400)
	})
	if err == nil || calls <= DefaultMaxFailures {
		t.Fatalf("Do = %v after %d throttled calls, want more than %d", err, calls, DefaultMaxFailures)
	}
}

func TestDoTimesOutEachAttempt(t *testing.T) {
	calls := 0
	err := Do(context.Background(), Policy{AttemptTimeout: 10 * time.Millisecond, MaxFailures: 2, Budget: time.Minute},
		func(ctx context.Context) error {
			calls++
			<-ctx.Done() // a silent endpoint
			return ctx.Err()
		})
	var timeout *AttemptTimeoutError
	if !errors.As(err, &timeout) || calls != 2 {
		t.Fatalf("Do = %v after %d calls, want an AttemptTimeoutError after 2", err, calls)
	}
}

func TestDoReturnsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Do(ctx, Policy{Clock: &fakeClock{}, Deadline: time.Unix(1e9, 0)}, func(context.Context) error {
		calls++
		cancel()
		return apiErr("ThrottlingException", 400)
	})
	if err == nil || calls != 1 {
		t.Fatalf("Do = %v after %d calls, want the error after 1", err, calls)
	}
}

func TestBreaker(t *testing.T) {
	refused := sendErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
	b := &Breaker{Limit: 3}
	b.Record(refused)
	b.Record(refused)
	b.Record(apiErr("ThrottlingException", 400)) // an answer: the count starts again
	b.Record(refused)
	b.Record(nil)
	b.Record(refused)
	b.Record(refused)
	if b.Open() {
		t.Fatal("open after 2 failures in a row")
	}
	b.Record(refused)
	if !b.Open() {
		t.Fatal("not open after 3 failures in a row")
	}
	b.Record(nil)
	if !b.Open() {
		t.Fatal("an open breaker closed again")
	}
	if err := b.Err(); !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("Err() = %v, want ErrBreakerOpen", err)
	}
	var none *Breaker
	none.Record(refused)
	if none.Open() {
		t.Error("a nil breaker opened")
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := 0; attempt < 40; attempt++ {
		for range 50 {
			d := Backoff(attempt)
			if d <= 0 || d > maxDelay {
				t.Fatalf("Backoff(%d) = %s, want in (0, %s]", attempt, d, maxDelay)
			}
		}
	}
}
