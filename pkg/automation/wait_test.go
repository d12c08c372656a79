package automation

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// fakeClock advances only when slept on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

// fakeAPI answers GetAutomationExecution from a script of answers, one
// per call; the last repeats.
type fakeAPI struct {
	API
	answers []func() (*ssm.GetAutomationExecutionOutput, error)
	calls   int
}

func (f *fakeAPI) GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	return a()
}

func execution(status string, steps ...types.StepExecution) func() (*ssm.GetAutomationExecutionOutput, error) {
	return func() (*ssm.GetAutomationExecutionOutput, error) {
		return &ssm.GetAutomationExecutionOutput{AutomationExecution: &types.AutomationExecution{
			AutomationExecutionId: aws.String("e"), AutomationExecutionStatus: types.AutomationExecutionStatus(status), StepExecutions: steps,
		}}, nil
	}
}

func step(id, name, action, status string, inputs map[string]string) types.StepExecution {
	return types.StepExecution{StepExecutionId: aws.String(id), StepName: aws.String(name), Action: aws.String(action),
		StepStatus: types.AutomationExecutionStatus(status), Inputs: inputs}
}

func failure(status int, code string) func() (*ssm.GetAutomationExecutionOutput, error) {
	return func() (*ssm.GetAutomationExecutionOutput, error) {
		return nil, &smithy.OperationError{ServiceID: "SSM", OperationName: "GetAutomationExecution", Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code, Message: "injected"},
		}}
	}
}

// The wait tells each step's start and end once, survives passing
// failures (throttling, 5xx) without ending, says so once, and sleeps
// through an aws:sleep of known Duration.
func TestWaitStepsAndPassingFailures(t *testing.T) {
	sleep := map[string]string{"Duration": `"PT30S"`}
	api := &fakeAPI{answers: []func() (*ssm.GetAutomationExecutionOutput, error){
		execution("InProgress", step("1", "nap", "aws:sleep", "InProgress", sleep)),
		failure(400, "ThrottlingException"),
		failure(500, "InternalServerError"),
		failure(500, "InternalServerError"),
		failure(400, "ThrottlingException"),
		execution("InProgress", step("1", "nap", "aws:sleep", "Success", sleep), step("2", "run", "aws:runCommand", "InProgress", nil)),
		execution("Failed", step("1", "nap", "aws:sleep", "Success", sleep), step("2", "run", "aws:runCommand", "Failed", nil)),
	}}
	clk := &fakeClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	var warnings []string
	c := &Client{API: api, Clock: clk, Warn: func(m string) { warnings = append(warnings, m) }}
	var events []string
	e, err := c.Wait(context.Background(), "e", WaitOptions{OnStep: func(ev Event, s Step) {
		events = append(events, map[Event]string{StepStarted: "start ", StepEnded: "end "}[ev]+s.Name)
	}})
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if e.Status != "Failed" || ExitCode(e.Status) != exitcode.Failed {
		t.Fatalf("status %s", e.Status)
	}
	want := "start nap,end nap,start run,end run"
	if got := strings.Join(events, ","); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings %v", warnings)
	}
	// The first wait is the sleep step's 10 s look-in, not a 250 ms poll.
	if clk.sleeps[0] != maxSleepPoll {
		t.Fatalf("first sleep %s, want %s", clk.sleeps[0], maxSleepPoll)
	}
}

// A failure that is not passing (AWS said no) ends the wait at once, and
// an interrupt ends it with ctx's error.
func TestWaitEnds(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	api := &fakeAPI{answers: []func() (*ssm.GetAutomationExecutionOutput, error){failure(400, "AutomationExecutionNotFoundException")}}
	c := &Client{API: api, Clock: clk}
	if _, err := c.Wait(context.Background(), "e", WaitOptions{}); err == nil || api.calls != 1 {
		t.Fatalf("not found: %v after %d calls", err, api.calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	api = &fakeAPI{answers: []func() (*ssm.GetAutomationExecutionOutput, error){execution("Waiting")}}
	c.API = api
	_, err := c.Wait(ctx, "e", WaitOptions{OnPoll: func(Execution) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v", err)
	}
	for status, code := range map[string]int{"Success": 0, "TimedOut": 124, "Cancelled": 1, "Failed": 1} {
		if ExitCode(status) != code {
			t.Errorf("ExitCode(%s) = %d, want %d", status, ExitCode(status), code)
		}
	}
}
