package runcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Every status AWS reports maps to one exit code.
func TestInvocationExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, details string
		code            int
		cancelledByUs   bool
		want            int
		done            bool
	}{
		{"Pending", "Pending", 0, false, 0, false},
		{"InProgress", "InProgress", 0, false, 0, false},
		{"Delayed", "Delayed", 0, false, 0, false},
		{"Cancelling", "Cancelling", 0, false, 0, false},
		{"Success", "Success", 0, false, 0, true},
		{"Success", "Success", 194, false, exitcode.Reboot, true},
		{"Success", "Success", 3010, false, exitcode.Reboot, true},
		{"Failed", "Failed", 1, false, 1, true},
		{"Failed", "Failed", 3, false, 3, true},
		{"Failed", "Failed", 42, false, 42, true},
		{"Failed", "Failed", 255, false, 255, true},
		{"Failed", "Failed", 256, false, 1, true},
		{"Failed", "Failed", -1, false, 1, true},
		{"Failed", "Failed", 3010, false, exitcode.Reboot, true},
		{"TimedOut", "ExecutionTimedOut", -1, false, 124, true},
		{"TimedOut", "Execution Timed Out", -1, false, 124, true},
		{"TimedOut", "DeliveryTimedOut", -1, false, 124, true},
		{"TimedOut", "Delivery Timed Out", -1, false, 124, true},
		{"DeliveryTimedOut", "", -1, false, 124, true},
		{"Failed", "Undeliverable", -1, false, 1, true},
		{"Undeliverable", "", -1, false, 1, true},
		{"Failed", "Terminated", -1, false, 1, true},
		{"Terminated", "", -1, false, 1, true},
		{"Cancelled", "Cancelled", -1, false, 1, true},
		{"Cancelled", "Cancelled", -1, true, 130, true},
	}
	for _, tt := range tests {
		inv := Invocation{Status: tt.status, StatusDetails: tt.details, ResponseCode: tt.code, CancelledByUs: tt.cancelledByUs}
		if got := inv.ExitCode(); got != tt.want {
			t.Errorf("%s/%s code %d: exit %d, want %d", tt.status, tt.details, tt.code, got, tt.want)
		}
		if inv.Done() != tt.done {
			t.Errorf("%s/%s: Done %v, want %v", tt.status, tt.details, inv.Done(), tt.done)
		}
	}
}

func TestRunExitCode(t *testing.T) {
	t.Parallel()
	ok := Invocation{Status: "Success", ResponseCode: 0}
	fail42 := Invocation{Status: "Failed", ResponseCode: 42}
	timeout := Invocation{Status: "TimedOut", StatusDetails: "DeliveryTimedOut", ResponseCode: -1}
	reboot := Invocation{Status: "Success", ResponseCode: 194}
	tests := []struct {
		invs []Invocation
		want int
	}{
		{[]Invocation{fail42}, 42}, // one target: passed through
		{[]Invocation{ok}, 0},
		{[]Invocation{timeout}, 124},
		{[]Invocation{ok, ok}, 0},
		{[]Invocation{ok, fail42}, 1}, // several: aggregated
		{[]Invocation{ok, timeout}, 124},
		{[]Invocation{ok, reboot}, exitcode.Reboot},
		{[]Invocation{reboot, timeout}, 124},
		{[]Invocation{reboot, timeout, fail42}, 1},
	}
	for i, tt := range tests {
		if got := ExitCode(tt.invs); got != tt.want {
			t.Errorf("case %d: %d, want %d", i, got, tt.want)
		}
	}
}

func TestSplitOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in             string
		stdout, stderr string
		outCut, errCut bool
	}{
		{"", "", "", false, false},
		{"hello\n", "hello\n", "", false, false},
		{"\n----------ERROR-------\nboom", "", "boom", false, false},
		{"hi\n\n----------ERROR-------\nboom\n", "hi\n", "boom\n", false, false},
		{"aaaa\n---Output truncated---", "aaaa", "", true, false},
		{"aa\n---Output truncated---\n----------ERROR-------\nbb\n---Error truncated----", "aa", "bb", true, true},
	}
	for _, tt := range tests {
		o, e, oc, ec := splitOutput(tt.in)
		if o != tt.stdout || e != tt.stderr || oc != tt.outCut || ec != tt.errCut {
			t.Errorf("splitOutput(%q) = %q %q %v %v", tt.in, o, e, oc, ec)
		}
	}
}

func TestNextInterval(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	d := time.Duration(0)
	for range 8 {
		d = NextInterval(d, false)
		got = append(got, d)
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("intervals %v, want %v", got, want)
	}
	if NextInterval(2*time.Second, true) != 2*time.Second {
		t.Errorf("progress should hold the interval")
	}
}

// startOne sends to n Linux nodes by ID and returns the run.
func startOne(t *testing.T, api *fakeAPI, clock *fakeClock, n int) *Run {
	t.Helper()
	nodes := linuxNodes(n)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// The poll interval backs off while nothing changes; results are reported
// as soon as each node finishes.
func TestWaitBackoffAndStreaming(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	api.states = func(id string, poll int) []types.CommandInvocation {
		a := inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")
		b := inv(id, "i-00000000000000002", "InProgress", "InProgress", 0, "")
		if poll >= 1 {
			a = inv(id, "i-00000000000000001", "Success", "Success", 0, "a\n")
		}
		if poll >= 7 {
			b = inv(id, "i-00000000000000002", "Failed", "Failed", 3, "b\n")
		}
		return []types.CommandInvocation{a, b}
	}
	run := startOne(t, api, clock, 2)
	var events []string
	res, err := run.Wait(context.Background(), WaitOptions{
		OnResult: func(i Invocation) {
			events = append(events, fmt.Sprintf("poll%d:%s=%d:%q", api.polls[run.CommandIDs[0]]-1, i.Name, i.ExitCode(), i.Stdout))
		},
		OnProgress: func(p Progress) { events = append(events, fmt.Sprintf("%d/%d,%d", p.Done, p.Total, p.Failed)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSleeps := "[250ms 250ms 500ms 1s 2s 4s 5s]" // poll 1 made progress, so the second sleep holds
	if fmt.Sprint(clock.sleeps) != wantSleeps {
		t.Errorf("sleeps %v, want %s", clock.sleeps, wantSleeps)
	}
	want := `0/2,0 poll1:web-001=0:"a\n" 1/2,0 1/2,0 1/2,0 1/2,0 1/2,0 1/2,0 poll7:web-002=3:"b\n" 2/2,1`
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if res.ExitCode != 1 || len(res.Invocations) != 2 {
		t.Errorf("exit %d, %d invocations", res.ExitCode, len(res.Invocations))
	}
	if d := res.Invocations[0].Duration(); d != 1500*time.Millisecond {
		t.Errorf("duration %v", d)
	}
}

// Right after sending, AWS may not know the command yet.
func TestWaitToleratesNotYet(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&types.InvalidCommandId{Message: aws.String("no")},
		&types.InvocationDoesNotExist{Message: aws.String("no")},
	} {
		api := newFakeAPI()
		clock := newFakeClock()
		api.listErr = func(id string, poll int) error {
			if poll < 2 {
				return err
			}
			return nil
		}
		api.states = func(id string, poll int) []types.CommandInvocation {
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, "ok\n")}
		}
		run := startOne(t, api, clock, 1)
		res, werr := run.Wait(context.Background(), WaitOptions{})
		if werr != nil || res.ExitCode != 0 {
			t.Errorf("%T: %v", err, werr)
		}
	}
	// Long after sending, it is an error.
	api := newFakeAPI()
	clock := newFakeClock()
	api.listErr = func(string, int) error { return &types.InvalidCommandId{} }
	run := startOne(t, api, clock, 1)
	if _, err := run.Wait(context.Background(), WaitOptions{}); err == nil {
		t.Error("no error after the settle time")
	}
	if clock.Now().Sub(run.SentAt) < settleTime {
		t.Errorf("gave up after %v", clock.Now().Sub(run.SentAt))
	}
}

// GetCommandInvocation is called only for output cut at 2,500 characters.
func TestWaitFetchesOnlyTruncatedOutput(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	long := strings.Repeat("x", 2400)
	api.states = func(id string, poll int) []types.CommandInvocation {
		return []types.CommandInvocation{
			inv(id, "i-00000000000000001", "Success", "Success", 0, "short\n"),
			inv(id, "i-00000000000000002", "Success", "Success", 0, long+"\n---Output truncated---"),
			inv(id, "i-00000000000000003", "Failed", "Failed", 1, "\n----------ERROR-------\n"+long[:100]+"\n---Error truncated----"),
		}
	}
	full := strings.Repeat("y", 10000)
	api.getOut = func(in *ssm.GetCommandInvocationInput) (*ssm.GetCommandInvocationOutput, error) {
		if in.PluginName != nil {
			return nil, errors.New("PluginName given for a one-step document")
		}
		if aws.ToString(in.InstanceId) == "i-00000000000000003" {
			return &ssm.GetCommandInvocationOutput{StandardErrorContent: aws.String(strings.Repeat("e", StderrLimit))}, nil
		}
		return &ssm.GetCommandInvocationOutput{StandardOutputContent: aws.String(full)}, nil
	}
	run := startOne(t, api, clock, 3)
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.gets) != 2 {
		t.Fatalf("%d GetCommandInvocation calls, want 2", len(api.gets))
	}
	byNode := map[string]Invocation{}
	for _, i := range res.Invocations {
		byNode[i.NodeID] = i
	}
	if i := byNode["i-00000000000000001"]; i.Stdout != "short\n" || i.StdoutTruncated {
		t.Errorf("node 1: %q %v", i.Stdout, i.StdoutTruncated)
	}
	if i := byNode["i-00000000000000002"]; i.Stdout != full || i.StdoutTruncated {
		t.Errorf("node 2: %d chars, truncated %v", len(i.Stdout), i.StdoutTruncated)
	}
	if i := byNode["i-00000000000000003"]; len(i.Stderr) != StderrLimit || !i.StderrTruncated {
		t.Errorf("node 3: stderr %d chars, truncated %v (8,000 characters means still cut)", len(i.Stderr), i.StderrTruncated)
	}
}

// Commands sent with Targets are done when AWS says the command is done.
func TestWaitTargets(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	api.states = func(id string, poll int) []types.CommandInvocation {
		if poll < 2 {
			return nil // AWS is still resolving the targets
		}
		return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, ""), inv(id, "i-00000000000000002", "Success", "Success", 0, "")}
	}
	api.command = func(id string, poll int) types.Command {
		if poll < 2 {
			return types.Command{CommandId: aws.String(id), Status: types.CommandStatusPending}
		}
		return types.Command{CommandId: aws.String(id), Status: types.CommandStatusSuccess, TargetCount: 2}
	}
	c := &Client{API: api, Nodes: &fakeNodes{nodes: linuxNodes(2)}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: mustSpecs("tag:Env=prod"), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	var totals []int
	res, err := run.Wait(context.Background(), WaitOptions{OnProgress: func(p Progress) { totals = append(totals, p.Total) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invocations) != 2 || res.ExitCode != 0 {
		t.Errorf("%d invocations, exit %d", len(res.Invocations), res.ExitCode)
	}
	if fmt.Sprint(totals) != "[2 2 2]" {
		t.Errorf("totals %v", totals)
	}
}

// A node that asked for a reboot (exit 194) and then succeeded shows the reboot.
func TestWaitReboot(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	api.states = func(id string, poll int) []types.CommandInvocation {
		switch poll {
		case 0:
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 194, "")}
		case 1:
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")}
		}
		return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, "done\n")}
	}
	run := startOne(t, api, clock, 1)
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if i := res.Invocations[0]; !i.Rebooted || res.ExitCode != 0 {
		t.Errorf("rebooted %v, exit %d", i.Rebooted, res.ExitCode)
	}
}

// Wait goes on through the command's own timeouts and gives up after them.
func TestWaitGivesUpOnlyAfterExpiry(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	api.states = func(id string, poll int) []types.CommandInvocation {
		return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")}
	}
	nodes := linuxNodes(1)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"sleep 1000"}, ExecutionTimeout: time.Hour, DeliveryTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Wait(context.Background(), WaitOptions{})
	if exitcode.Code(err) != exitcode.Timeout {
		t.Fatalf("err %v", err)
	}
	if waited := clock.Now().Sub(run.SentAt); waited < time.Hour+time.Minute {
		t.Errorf("gave up after %v, before the command's own timeouts", waited)
	}
}

// Interrupting the wait leaves the run to Cancel, which cancels every
// command this run sent and waits for Cancelled.
func TestWaitInterruptAndCancel(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	cancelled := false
	api.states = func(id string, poll int) []types.CommandInvocation {
		var out []types.CommandInvocation
		for i := range 2 {
			node := fmt.Sprintf("i-%017x", i+1)
			if id == "00000000-0000-0000-0000-000000000002" {
				node = fmt.Sprintf("i-%017x", i+51)
			}
			if cancelled {
				out = append(out, inv(id, node, "Cancelled", "Cancelled", -1, ""))
			} else {
				out = append(out, inv(id, node, "InProgress", "InProgress", 0, ""))
			}
		}
		return out
	}
	nodes := linuxNodes(52)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: nodes}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: idSpecs(nodes), Commands: []string{"sleep 100"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	clock.onSleep = func(n int) {
		if n == 3 {
			cancel()
		}
	}
	if _, err := run.Wait(ctx, WaitOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait: %v", err)
	}
	cancelled = true
	clock.onSleep = nil
	res, err := run.Cancel(context.Background(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.cancels) != 2 {
		t.Fatalf("%d CancelCommand calls, want one per command (2)", len(api.cancels))
	}
	for i, cc := range api.cancels {
		if aws.ToString(cc.CommandId) != run.CommandIDs[i] || cc.InstanceIds != nil {
			t.Errorf("cancel %d: %s %v", i, aws.ToString(cc.CommandId), cc.InstanceIds)
		}
	}
	if len(res.Invocations) != 4 {
		t.Errorf("%d invocations after cancelling, want 4", len(res.Invocations))
	}
	for _, i := range res.Invocations {
		if !i.CancelledByUs || i.ExitCode() != exitcode.Interrupted {
			t.Errorf("%s: cancelled by us %v, exit %d", i.NodeID, i.CancelledByUs, i.ExitCode())
		}
	}
}

// Paginated listings: 120 nodes in one command take three pages a poll.
func TestWaitPaginates(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	clock := newFakeClock()
	api.states = func(id string, poll int) []types.CommandInvocation {
		var out []types.CommandInvocation
		for i := range 120 {
			out = append(out, inv(id, fmt.Sprintf("i-%017x", i+1), "Success", "Success", 0, ""))
		}
		return out
	}
	c := &Client{API: api, Nodes: &fakeNodes{nodes: linuxNodes(120)}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: mustSpecs("tag:Env=prod"), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	api.command = func(id string, poll int) types.Command {
		return types.Command{CommandId: aws.String(id), Status: types.CommandStatusSuccess, TargetCount: 120}
	}
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invocations) != 120 {
		t.Errorf("%d invocations", len(res.Invocations))
	}
}
