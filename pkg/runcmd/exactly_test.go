package runcmd

import (
	"context"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// awsError is an error as the SDK returns it for an AWS answer.
func awsError(code string, status int) error {
	return &smithy.OperationError{ServiceID: "SSM", OperationName: "SendCommand", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "injected"},
	}}
}

func pending(string, time.Duration) []types.CommandInvocation { return nil }

var markRE = regexp.MustCompile(`^ssmctl:[a-z0-9]{12}\.[0-9]+$`)

func TestMarkComment(t *testing.T) {
	mark := sendMark("abcdefghijkl", 3)
	if !markRE.MatchString(mark) {
		t.Fatalf("mark %q", mark)
	}
	long := strings.Repeat("é", maxCommentLen)
	tests := []struct{ user, want string }{
		{"", mark},
		{"  ", mark},
		{"nightly deploy", "nightly deploy " + mark},
		{long, strings.Repeat("é", maxCommentLen-len(mark)-1) + " " + mark},
	}
	for _, tt := range tests {
		got := markComment(tt.user, mark)
		if got != tt.want {
			t.Errorf("markComment(%q) = %q, want %q", tt.user, got, tt.want)
		}
		if n := len([]rune(got)); n > maxCommentLen {
			t.Errorf("markComment(%q) is %d characters, more than %d", tt.user, n, maxCommentLen)
		}
		if !hasMark(got, mark) || hasMark(got, mark[:len(mark)-1]) || hasMark(got+"0", mark) {
			t.Errorf("hasMark(%q) wrong", got)
		}
	}
}

// A SendCommand carried out whose answer is lost (a 500 after AWS made the
// command) is found by its mark and not sent again.
func TestSendLostReplyFoundByMark(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = pending
	api.lostReply = func(n int) error {
		if n == 1 {
			return awsError("InternalServerError", 500)
		}
		return nil
	}
	nodes := linuxNodes(2)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"uptime"}, Comment: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if api.sendAttempts != 1 || len(api.sends) != 1 {
		t.Errorf("%d SendCommand calls, %d commands made; want 1 and 1", api.sendAttempts, len(api.sends))
	}
	if len(run.CommandIDs) != 1 || run.CommandIDs[0] != commandID(1) {
		t.Errorf("run has %v, want the command made", run.CommandIDs)
	}
	comment := aws.ToString(api.sends[0].Comment)
	if !strings.HasPrefix(comment, "deploy ") || !markRE.MatchString(strings.TrimPrefix(comment, "deploy ")) {
		t.Errorf("comment %q: want the user's comment and the mark", comment)
	}
	if api.filteredListCommands != 1 {
		t.Errorf("%d lookups, want 1 (found at once)", api.filteredListCommands)
	}
}

// A send that failed before AWS made the command (a 500 with nothing
// done) is looked up, not found, and sent again: one command in all.
func TestSendNotLandedIsSentAgain(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = pending
	api.sendErr = func(n int) error {
		if api.sendAttempts == 1 {
			return awsError("InternalServerError", 500)
		}
		return nil
	}
	nodes := linuxNodes(1)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"uptime"}})
	if err != nil {
		t.Fatal(err)
	}
	if api.sendAttempts != 2 || len(api.sends) != 1 || len(run.CommandIDs) != 1 {
		t.Errorf("%d calls, %d commands, run %v; want 2, 1, one command", api.sendAttempts, len(api.sends), run.CommandIDs)
	}
	if api.filteredListCommands != len(lookupDelays) {
		t.Errorf("%d lookups before sending again, want %d", api.filteredListCommands, len(lookupDelays))
	}
	if got := aws.ToString(api.sends[0].Comment); !markRE.MatchString(got) {
		t.Errorf("comment %q: want only the mark", got)
	}
}

// Throttling proves nothing was done: it is retried without a lookup. An
// answer that is not passing is not retried.
func TestSendRetriesOnlyPassingFailures(t *testing.T) {
	t.Parallel()
	t.Run("throttled", func(t *testing.T) {
		api, clock := newFake()
		api.states = pending
		api.sendErr = func(int) error {
			if api.sendAttempts <= 3 {
				return awsError("ThrottlingException", 400)
			}
			return nil
		}
		nodes := linuxNodes(1)
		c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
		if _, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}}); err != nil {
			t.Fatal(err)
		}
		if api.sendAttempts != 4 || len(api.sends) != 1 || api.filteredListCommands != 0 {
			t.Errorf("%d calls, %d commands, %d lookups; want 4, 1, 0", api.sendAttempts, len(api.sends), api.filteredListCommands)
		}
	})
	t.Run("refused", func(t *testing.T) {
		api, clock := newFake()
		api.sendErr = func(int) error { return awsError("InvalidParameters", 400) }
		nodes := linuxNodes(1)
		c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
		_, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
		if err == nil || api.sendAttempts != 1 || exitcode.Code(err) != exitcode.AWS {
			t.Errorf("err %v (exit %d) after %d calls; want AWS's error (254) after 1", err, exitcode.Code(err), api.sendAttempts)
		}
	})
}

// When a send may have landed and the lookup cannot tell, nothing is sent
// again: the error names the mark and exits 255.
func TestSendUnsureIsNotSentAgain(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = pending
	api.lostReply = func(n int) error { return awsError("InternalServerError", 500) }
	api.listCommandsErr = func(int) error { return awsError("AccessDeniedException", 400) }
	nodes := linuxNodes(1)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	_, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
	var unsure *UnsureError
	if !errors.As(err, &unsure) || exitcode.Code(err) != exitcode.Other {
		t.Fatalf("err %v (exit %d), want an UnsureError exiting 255", err, exitcode.Code(err))
	}
	if api.sendAttempts != 1 || !strings.Contains(err.Error(), unsure.Mark) || !markRE.MatchString(unsure.Mark) {
		t.Errorf("%d calls, err %q", api.sendAttempts, err)
	}
}

// An interrupt while a batch is being sent lets that send finish (its
// answer lost and found by its mark), sends no further batch, and returns
// the run so far with the context's error; Interrupt then cancels every
// command sent and exits 130.
func TestInterruptWhileSending(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = func(id string, _ time.Duration) []types.CommandInvocation {
		for _, c := range api.cancels {
			if aws.ToString(c.CommandId) == id {
				return []types.CommandInvocation{inv(id, "i-1", "Cancelled", "Cancelled", -1, "")}
			}
		}
		return []types.CommandInvocation{inv(id, "i-1", "InProgress", "InProgress", 0, "")}
	}
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	api.onSend = func(attempt int) {
		if attempt == 2 {
			interrupt()
		}
	}
	api.lostReply = func(n int) error {
		if n == 2 {
			return awsError("InternalServerError", 500)
		}
		return nil
	}
	nodes := linuxNodes(150)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(ctx, Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
	if !errors.Is(err, context.Canceled) || run == nil {
		t.Fatalf("Start = %v, %v; want the run so far and context.Canceled", run, err)
	}
	if api.sendAttempts != 2 || len(run.CommandIDs) != 2 {
		t.Fatalf("%d sends, run has %v; want 2 and both commands", api.sendAttempts, run.CommandIDs)
	}
	sig := make(chan os.Signal, 1)
	sig <- syscall.SIGINT
	err = run.Interrupt(ctx, sig, time.Second, func(string, ...any) {})
	if exitcode.Code(err) != exitcode.Interrupted || len(api.cancels) != 2 {
		t.Errorf("Interrupt = %v (exit %d), %d cancels; want 130 and 2", err, exitcode.Code(err), len(api.cancels))
	}
}

// When cancelling fails, the interrupted run says what is still running
// and how to cancel it, and exits 255, not 130.
func TestInterruptCancelFailsSaysWhatRuns(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = func(id string, _ time.Duration) []types.CommandInvocation {
		return []types.CommandInvocation{inv(id, "i-1", "InProgress", "InProgress", 0, "")}
	}
	api.cancelErr = awsError("AccessDeniedException", 400)
	nodes := linuxNodes(1)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"sleep 100"}})
	if err != nil {
		t.Fatal(err)
	}
	sig := make(chan os.Signal, 1)
	sig <- syscall.SIGINT
	err = run.Interrupt(context.Background(), sig, time.Second, func(string, ...any) {})
	msg := exitcode.Message(err)
	if exitcode.Code(err) != exitcode.Other || !strings.Contains(msg, commandID(1)) || !strings.Contains(msg, "ssmctl run cancel") {
		t.Errorf("Interrupt = %q (exit %d), want 255 naming %s and `ssmctl run cancel`", msg, exitcode.Code(err), commandID(1))
	}
}

// A wait retries passing failures of its polls (throttling, 5xx) and
// finishes.
func TestWaitRetriesPassingFailures(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	fails := 0
	api.listErr = func(string, time.Duration) error {
		if fails < 6 {
			fails++
			if fails%2 == 0 {
				return awsError("InternalServerError", 500)
			}
			return awsError("ThrottlingException", 400)
		}
		return nil
	}
	api.states = func(id string, _ time.Duration) []types.CommandInvocation {
		return []types.CommandInvocation{inv(id, "i-1", "Success", "Success", 0, "ok\n")}
	}
	nodes := linuxNodes(1)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil || res.ExitCode != 0 || fails != 6 {
		t.Fatalf("Wait = %v, %v after %d failures", res, err, fails)
	}
}

// A wait whose polls keep failing gives up at the run's deadline with
// exit 124, naming the command and `ssmctl run status`: with AWS silent
// since the command's timeouts passed, 10 s after them, not 2 minutes.
func TestWaitGivesUpAtDeadline(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.listErr = func(string, time.Duration) error { return awsError("ServiceUnavailable", 503) }
	api.states = pending
	nodes := linuxNodes(1)
	var warnings []string
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock, Warn: func(m string) { warnings = append(warnings, m) }}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"},
		ExecutionTimeout: 5 * time.Second, DeliveryTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Wait(context.Background(), WaitOptions{})
	msg := exitcode.Message(err)
	if exitcode.Code(err) != exitcode.Timeout || !strings.Contains(msg, "ssmctl run status "+commandID(1)) {
		t.Errorf("Wait = %q (exit %d), want 124 naming `ssmctl run status %s`", msg, exitcode.Code(err), commandID(1))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "ServiceUnavailable") || !strings.Contains(warnings[0], "retrying until") {
		t.Errorf("warnings %q, want one saying AWS is not answering and until when ssmctl retries", warnings)
	}
	if limit := fakeEpoch.Add(45 * time.Second); clock.Now().After(limit) {
		t.Errorf("gave up at %s, after the deadline %s", clock.Now().Sub(fakeEpoch), limit.Sub(fakeEpoch))
	}
}
