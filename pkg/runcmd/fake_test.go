package runcmd

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/target"
)

// fakeAPI is a scripted SSM. Each command's invocations at a given poll
// come from states(commandID, poll); a poll is one first-page
// ListCommandInvocations call for that command.
type fakeAPI struct {
	mu sync.Mutex

	sends   []*ssm.SendCommandInput
	sendErr func(n int) error
	gets    []*ssm.GetCommandInvocationInput
	getOut  func(in *ssm.GetCommandInvocationInput) (*ssm.GetCommandInvocationOutput, error)
	cancels []*ssm.CancelCommandInput
	docs    map[string]*types.DocumentDescription
	content map[string]string

	// states gives the invocations of a command at its n-th poll (from 0).
	states  func(commandID string, poll int) []types.CommandInvocation
	listErr func(commandID string, poll int) error
	polls   map[string]int
	// command gives ListCommands' answer for a command at the poll count.
	command       func(commandID string, poll int) types.Command
	listCommands  int
	describeCalls int
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{polls: map[string]int{}, docs: map[string]*types.DocumentDescription{}, content: map[string]string{}}
}

func (f *fakeAPI) SendCommand(ctx context.Context, in *ssm.SendCommandInput, _ ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		if err := f.sendErr(len(f.sends)); err != nil {
			return nil, err
		}
	}
	f.sends = append(f.sends, in)
	id := fmt.Sprintf("00000000-0000-0000-0000-%012d", len(f.sends))
	return &ssm.SendCommandOutput{Command: &types.Command{CommandId: aws.String(id)}}, nil
}

func (f *fakeAPI) ListCommands(ctx context.Context, in *ssm.ListCommandsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCommands++
	if f.command == nil {
		return &ssm.ListCommandsOutput{}, nil
	}
	id := aws.ToString(in.CommandId)
	c := f.command(id, f.polls[id]-1)
	return &ssm.ListCommandsOutput{Commands: []types.Command{c}}, nil
}

func (f *fakeAPI) ListCommandInvocations(ctx context.Context, in *ssm.ListCommandInvocationsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandInvocationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !in.Details || aws.ToInt32(in.MaxResults) != 50 {
		return nil, fmt.Errorf("want Details and MaxResults 50, got %v %v", in.Details, aws.ToInt32(in.MaxResults))
	}
	id := aws.ToString(in.CommandId)
	start := 0
	if in.NextToken == nil {
		f.polls[id]++
	} else {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	poll := f.polls[id] - 1
	if f.listErr != nil {
		if err := f.listErr(id, poll); err != nil {
			return nil, err
		}
	}
	all := f.states(id, poll)
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

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)} }

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
