package runcmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/target"
)

// fakeAPI is a scripted SSM. Each command's invocations at a time come
// from states(commandID, t), t being the fake clock's time since it
// started; ListCommands derives each command's status and counts from
// them (unless command is set).
type fakeAPI struct {
	mu sync.Mutex

	// clock, if set, gives the time of states, listErr and command, and
	// each command's RequestedDateTime.
	clock   *fakeClock
	sends   []*ssm.SendCommandInput
	sendErr func(n int) error
	// sendAttempts counts SendCommand calls, failed or not; lostReply,
	// if it returns an error for the n-th command recorded (from 1),
	// fails the call that recorded it with that error: carried out,
	// answer lost. onSend runs at the start of each call.
	sendAttempts int
	lostReply    func(n int) error
	onSend       func(attempt int)
	// listCommandsErr, if it returns an error, fails a filtered
	// ListCommands; cancelErr fails CancelCommand.
	listCommandsErr func(n int) error
	cancelErr       error
	gets            []*ssm.GetCommandInvocationInput
	getOut          func(in *ssm.GetCommandInvocationInput) (*ssm.GetCommandInvocationOutput, error)
	cancels         []*ssm.CancelCommandInput
	docs            map[string]*types.DocumentDescription
	content         map[string]string

	// states gives the invocations of a command at time t.
	states func(commandID string, t time.Duration) []types.CommandInvocation
	// listErr, if it returns an error for a command, makes
	// ListCommandInvocations and ListCommands by CommandId fail with it,
	// and ListCommands with a filter leave the command out.
	listErr func(commandID string, t time.Duration) error
	// command, if set, gives ListCommands' answer for a command at t.
	command func(commandID string, t time.Duration) types.Command
	// others are other commands in the account, invoked after the run's,
	// which a filtered ListCommands lists too.
	others int

	// Calls: ListCommands (and how many had a filter), pages of
	// ListCommandInvocations, and detailed listings (first pages) per
	// command.
	listCommands, filteredListCommands int
	invocationPages                    int
	listings                           map[string]int
	describeCalls                      int
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{listings: map[string]int{}, docs: map[string]*types.DocumentDescription{}, content: map[string]string{}}
}

// elapsed is the fake clock's time since it started (0 without a clock).
func (f *fakeAPI) elapsed() time.Duration {
	if f.clock == nil {
		return 0
	}
	return f.clock.Now().Sub(fakeEpoch)
}

func (f *fakeAPI) SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sendAttempts++
	var o ssm.Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Retryer == nil || o.Retryer.MaxAttempts() != 1 {
		return nil, errors.New("SendCommand called with the SDK's retries on")
	}
	if f.onSend != nil {
		f.onSend(f.sendAttempts)
	}
	if f.sendErr != nil {
		if err := f.sendErr(len(f.sends)); err != nil {
			return nil, err
		}
	}
	f.sends = append(f.sends, in)
	if f.lostReply != nil {
		if err := f.lostReply(len(f.sends)); err != nil {
			return nil, err
		}
	}
	cmd := &types.Command{CommandId: aws.String(commandID(len(f.sends)))}
	if f.clock != nil {
		cmd.RequestedDateTime = aws.Time(f.clock.Now())
	}
	return &ssm.SendCommandOutput{Command: cmd}, nil
}

func commandID(n int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", n) }

// commandAt is ListCommands' answer for the n-th command sent (from 1).
func (f *fakeAPI) commandAt(n int, t time.Duration) types.Command {
	id := commandID(n)
	if f.command != nil {
		c := f.command(id, t)
		c.Comment = f.sends[n-1].Comment
		return c
	}
	invs := f.states(id, t)
	c := types.Command{CommandId: aws.String(id), Comment: f.sends[n-1].Comment, TargetCount: int32(max(len(invs), len(f.sends[n-1].InstanceIds)))}
	failed := false
	for _, ci := range invs {
		switch stateOf(string(ci.Status), aws.ToString(ci.StatusDetails)) {
		case StateWaiting:
			continue
		case StateFailed, StateExecutionTimedOut:
			c.ErrorCount++
			failed = true
		case StateDeliveryTimedOut:
			c.DeliveryTimedOutCount++
			failed = true
		}
		c.CompletedCount++
	}
	switch {
	case len(invs) == 0:
		c.Status = types.CommandStatusPending
	case c.CompletedCount < c.TargetCount:
		c.Status = types.CommandStatusInProgress
	case failed:
		c.Status = types.CommandStatusFailed
	default:
		c.Status = types.CommandStatusSuccess
	}
	return c
}

func (f *fakeAPI) ListCommands(ctx context.Context, in *ssm.ListCommandsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCommands++
	t := f.elapsed()
	if in.CommandId != nil {
		if in.Filters != nil {
			return nil, errors.New("CommandId and Filters together")
		}
		id := aws.ToString(in.CommandId)
		if f.listErr != nil {
			if err := f.listErr(id, t); err != nil {
				return nil, err
			}
		}
		n, err := strconv.Atoi(id[len(id)-12:])
		if err != nil || n < 1 || n > len(f.sends) {
			return nil, &types.InvalidCommandId{}
		}
		return &ssm.ListCommandsOutput{Commands: []types.Command{f.commandAt(n, t)}}, nil
	}
	f.filteredListCommands++
	if f.listCommandsErr != nil {
		if err := f.listCommandsErr(f.filteredListCommands); err != nil {
			return nil, err
		}
	}
	// The one filter the waiter uses: InvokedAfter, in whole seconds
	// (RFC 3339), no later than the commands were requested.
	if len(in.Filters) != 1 || in.Filters[0].Key != types.CommandFilterKeyInvokedAfter {
		return nil, fmt.Errorf("want one InvokedAfter filter, got %v", in.Filters)
	}
	after, err := time.Parse(time.RFC3339, aws.ToString(in.Filters[0].Value))
	if err != nil || !strings.HasSuffix(aws.ToString(in.Filters[0].Value), "Z") {
		return nil, fmt.Errorf("InvokedAfter %q: want 2006-01-02T15:04:05Z", aws.ToString(in.Filters[0].Value))
	}
	if f.clock != nil && after.After(fakeEpoch) {
		return nil, fmt.Errorf("InvokedAfter %s is after the commands were sent", after)
	}
	size := int(aws.ToInt32(in.MaxResults))
	if size < 1 || size > 50 {
		return nil, fmt.Errorf("MaxResults %d", size)
	}
	// Newest first: the others, then the run's commands from the last.
	var all []types.Command
	for i := range f.others {
		all = append(all, types.Command{CommandId: aws.String(fmt.Sprintf("99999999-0000-0000-0000-%012d", i)), Status: types.CommandStatusInProgress})
	}
	for n := len(f.sends); n >= 1; n-- {
		if f.listErr != nil && f.listErr(commandID(n), t) != nil {
			continue
		}
		all = append(all, f.commandAt(n, t))
	}
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+size, len(all))
	out := &ssm.ListCommandsOutput{Commands: all[start:end]}
	if end < len(all) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeAPI) ListCommandInvocations(ctx context.Context, in *ssm.ListCommandInvocationsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandInvocationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !in.Details || aws.ToInt32(in.MaxResults) != 50 {
		return nil, fmt.Errorf("want Details and MaxResults 50, got %v %v", in.Details, aws.ToInt32(in.MaxResults))
	}
	f.invocationPages++
	id := aws.ToString(in.CommandId)
	t := f.elapsed()
	start := 0
	if in.NextToken == nil {
		f.listings[id]++
	} else {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	if f.listErr != nil {
		if err := f.listErr(id, t); err != nil {
			return nil, err
		}
	}
	all := f.states(id, t)
	end := min(start+50, len(all))
	out := &ssm.ListCommandInvocationsOutput{CommandInvocations: all[start:end]}
	if end < len(all) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeAPI) GetCommandInvocation(ctx context.Context, in *ssm.GetCommandInvocationInput, _ ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets = append(f.gets, in)
	return f.getOut(in)
}

func (f *fakeAPI) CancelCommand(ctx context.Context, in *ssm.CancelCommandInput, _ ...func(*ssm.Options)) (*ssm.CancelCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels = append(f.cancels, in)
	if f.cancelErr != nil {
		return nil, f.cancelErr
	}
	return &ssm.CancelCommandOutput{}, nil
}

func (f *fakeAPI) DescribeDocument(ctx context.Context, in *ssm.DescribeDocumentInput, _ ...func(*ssm.Options)) (*ssm.DescribeDocumentOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.describeCalls++
	d, ok := f.docs[aws.ToString(in.Name)]
	if !ok {
		return nil, &types.InvalidDocument{Message: aws.String("The specified document does not exist.")}
	}
	return &ssm.DescribeDocumentOutput{Document: d}, nil
}

func (f *fakeAPI) GetDocument(ctx context.Context, in *ssm.GetDocumentInput, _ ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error) {
	c, ok := f.content[aws.ToString(in.Name)]
	if !ok {
		return nil, &types.InvalidDocument{Message: aws.String("The specified document does not exist.")}
	}
	return &ssm.GetDocumentOutput{Content: aws.String(c)}, nil
}

func (f *fakeAPI) ListDocuments(ctx context.Context, in *ssm.ListDocumentsInput, _ ...func(*ssm.Options)) (*ssm.ListDocumentsOutput, error) {
	return &ssm.ListDocumentsOutput{}, nil
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// onSleep runs before each sleep returns (e.g. to cancel a context).
	onSleep func(n int)
}

// fakeEpoch is when every fake clock starts.
var fakeEpoch = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock { return &fakeClock{now: fakeEpoch} }

// newFake is a fake API on a fake clock.
func newFake() (*fakeAPI, *fakeClock) {
	api, clock := newFakeAPI(), newFakeClock()
	api.clock = clock
	return api, clock
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	n := len(c.sleeps)
	hook := c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return ctx.Err()
}

// fakeNodes resolves every query to the same nodes, recording the query.
type fakeNodes struct {
	nodes   []target.Node
	err     error
	queries []target.Query
}

func (r *fakeNodes) Resolve(ctx context.Context, q target.Query) ([]target.Node, error) {
	r.queries = append(r.queries, q)
	return r.nodes, r.err
}

func linuxNodes(n int) []target.Node {
	out := make([]target.Node, n)
	for i := range out {
		out[i] = target.Node{ID: fmt.Sprintf("i-%017x", i+1), Name: fmt.Sprintf("web-%03d", i+1), PlatformType: "Linux"}
	}
	return out
}

// inv builds an invocation with one aws:runShellScript plugin.
func inv(commandID, nodeID, status, details string, code int32, output string) types.CommandInvocation {
	start := time.Date(2026, 11, 1, 12, 0, 1, 0, time.UTC)
	end := start.Add(1500 * time.Millisecond)
	return types.CommandInvocation{
		CommandId:     aws.String(commandID),
		InstanceId:    aws.String(nodeID),
		Status:        types.CommandInvocationStatus(status),
		StatusDetails: aws.String(details),
		CommandPlugins: []types.CommandPlugin{{
			Name: aws.String("aws:runShellScript"), Status: types.CommandPluginStatus(status), StatusDetails: aws.String(details),
			ResponseCode: code, Output: aws.String(output),
			ResponseStartDateTime: &start, ResponseFinishDateTime: &end,
		}},
	}
}

func mustSpecs(raws ...string) []target.Spec {
	specs, err := target.ParseAll(raws, nil)
	if err != nil {
		panic(err)
	}
	return specs
}
