package runcmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	for range 6 {
		d = NextInterval(d)
		got = append(got, d)
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, time.Second, time.Second, time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("intervals %v, want %v", got, want)
	}
}

func TestListingInterval(t *testing.T) {
	t.Parallel()
	for pages, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 1500 * time.Millisecond, 20: 10 * time.Second, 200: 10 * time.Second} {
		if got := ListingInterval(pages); got != want {
			t.Errorf("ListingInterval(%d) = %v, want %v", pages, got, want)
		}
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

// A small run (one page) is listed on every poll, which backs off from
// 250 ms to 1 s; results are reported as soon as each node finishes.
func TestWaitBackoffAndStreaming(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
		a := inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")
		b := inv(id, "i-00000000000000002", "InProgress", "InProgress", 0, "")
		if t >= 250*time.Millisecond {
			a = inv(id, "i-00000000000000001", "Success", "Success", 0, "a\n")
		}
		if t >= 4*time.Second {
			b = inv(id, "i-00000000000000002", "Failed", "Failed", 3, "b\n")
		}
		return []types.CommandInvocation{a, b}
	}
	run := startOne(t, api, clock, 2)
	var events []string
	res, err := run.Wait(context.Background(), WaitOptions{
		OnResult: func(i Invocation) {
			events = append(events, fmt.Sprintf("%s:%s=%d:%q", clock.Now().Sub(fakeEpoch), i.Name, i.ExitCode(), i.Stdout))
		},
		OnProgress: func(p Progress) { events = append(events, fmt.Sprintf("%d/%d,%d", p.Done, p.Total, p.Failed)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[250ms 500ms 1s 1s 1s 1s]"; fmt.Sprint(clock.sleeps) != want {
		t.Errorf("sleeps %v, want %s", clock.sleeps, want)
	}
	want := `0/2,0 250ms:web-001=0:"a\n" 1/2,0 1/2,0 1/2,0 1/2,0 1/2,0 4.75s:web-002=3:"b\n" 2/2,1`
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	if res.ExitCode != 1 || len(res.Invocations) != 2 {
		t.Errorf("exit %d, %d invocations", res.ExitCode, len(res.Invocations))
	}
	if d := res.Invocations[0].Duration(); d != 1500*time.Millisecond {
		t.Errorf("duration %v", d)
	}
	// One listing a poll, and no ListCommands: the nodes were sent by ID.
	if api.invocationPages != 7 || api.listCommands != 0 {
		t.Errorf("%d ListCommandInvocations, %d ListCommands", api.invocationPages, api.listCommands)
	}
}

// fleetStates is a fleet of n nodes finishing evenly over span (node i at
// span*(i+1)/n), every 50th failing; the invocations of a command are
// those of the nodes it was sent to (all of them for Targets).
func fleetStates(api *fakeAPI, n int, span time.Duration) func(id string, t time.Duration) []types.CommandInvocation {
	return func(id string, t time.Duration) []types.CommandInvocation {
		num, _ := strconv.Atoi(id[len(id)-12:])
		ids := api.sends[num-1].InstanceIds
		if ids == nil {
			for i := range n {
				ids = append(ids, fmt.Sprintf("i-%017x", i+1))
			}
		}
		out := make([]types.CommandInvocation, 0, len(ids))
		for _, node := range ids {
			i, _ := strconv.ParseInt(node[2:], 16, 64)
			switch {
			case t < span*time.Duration(i)/time.Duration(n):
				out = append(out, inv(id, node, "InProgress", "InProgress", 0, ""))
			case i%50 == 0:
				out = append(out, inv(id, node, "Failed", "Failed", 1, "bad\n"))
			default:
				out = append(out, inv(id, node, "Success", "Success", 0, "ok\n"))
			}
		}
		return out
	}
}

// waitFleet waits for a fleet run and checks what every large run must
// give: every node reported once, results before the end, the end seen
// within about a second, and at least 10x fewer calls than one
// GetCommandInvocation per node.
func waitFleet(t *testing.T, api *fakeAPI, clock *fakeClock, run *Run, n int, span time.Duration) {
	t.Helper()
	reported := map[string]bool{}
	var firstResult time.Duration
	var progress []Progress
	res, err := run.Wait(context.Background(), WaitOptions{
		OnResult: func(i Invocation) {
			if reported[i.NodeID] {
				t.Errorf("%s reported twice", i.NodeID)
			}
			reported[i.NodeID] = true
			if firstResult == 0 {
				firstResult = clock.Now().Sub(fakeEpoch)
			}
		},
		OnProgress: func(p Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invocations) != n || len(reported) != n || res.ExitCode != 1 {
		t.Errorf("%d invocations, %d reported, exit %d", len(res.Invocations), len(reported), res.ExitCode)
	}
	end := clock.Now().Sub(fakeEpoch)
	if lag := end - span; lag < 0 || lag > 1100*time.Millisecond {
		t.Errorf("returned %v after the last node finished, want at most about 1 s", lag)
	}
	if firstResult == 0 || firstResult > span/2 {
		t.Errorf("first result at %v of a %v run: results should stream", firstResult, span)
	}
	calls := api.listCommands + api.invocationPages
	t.Logf("%d nodes over %v: %d ListCommands, %d ListCommandInvocations pages (%v), %d polls, returned %v after the last node",
		n, span, api.listCommands, api.invocationPages, api.listings, len(clock.sleeps)+1, end-span)
	if calls > 100 || 10*calls > n+21 {
		t.Errorf("%d calls (%d ListCommands, %d ListCommandInvocations), want at most 100: 10x fewer than %d", calls, api.listCommands, api.invocationPages, n+21)
	}
	// The progress poll counts between listings: done never goes back,
	// and it moves more often than listings happen.
	moves := 0
	for i := 1; i < len(progress); i++ {
		if progress[i].Done < progress[i-1].Done {
			t.Errorf("progress went back: %v then %v", progress[i-1], progress[i])
		}
		if progress[i].Done > progress[i-1].Done {
			moves++
		}
		if progress[i].Total != n {
			t.Errorf("progress total %d, want %d", progress[i].Total, n)
		}
	}
	if moves < 20 {
		t.Errorf("progress moved %d times", moves)
	}
	if last := progress[len(progress)-1]; last.Done != n || last.Failed != n/50 {
		t.Errorf("last progress %+v", last)
	}
}

// 1,000 nodes by tag (one command, 20 pages a listing) finishing over
// 30 s: a ListCommands per poll and a listing every 10 s, plus the last.
func TestWaitLargeFleetTargets(t *testing.T) {
	t.Parallel()
	const n, span = 1000, 30 * time.Second
	api, clock := newFake()
	api.states = fleetStates(api, n, span)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: linuxNodes(n)}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: mustSpecs("tag:Env=prod"), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	waitFleet(t, api, clock, run, n, span)
	if api.filteredListCommands != 0 {
		t.Errorf("%d filtered ListCommands for a run of one command", api.filteredListCommands)
	}
}

// 1,000 nodes by ID: 20 commands, polled with one filtered ListCommands
// per poll (other commands in the account on the same pages), and each
// listed at once when it finishes.
func TestWaitLargeFleetBatches(t *testing.T) {
	t.Parallel()
	const n, span = 1000, 30 * time.Second
	api, clock := newFake()
	api.states = fleetStates(api, n, span)
	api.others = 45 // the run's 20 commands take two pages of 50
	run := startOne(t, api, clock, n)
	if len(run.CommandIDs) != 20 {
		t.Fatalf("%d commands", len(run.CommandIDs))
	}
	waitFleet(t, api, clock, run, n, span)
	// Each command is listed about once, when it finishes; the last one
	// left, a single page, on every poll until it is done.
	listings := 0
	for _, id := range run.CommandIDs {
		listings += api.listings[id]
	}
	if listings > 30 {
		t.Errorf("%d listings of 20 commands: %v", listings, api.listings)
	}
	polls := len(clock.sleeps) + 1
	if api.listCommands > 2*polls {
		t.Errorf("%d ListCommands in %d polls: want one filtered listing (two pages here) a poll", api.listCommands, polls)
	}
}

// One node returns within a poll interval of finishing.
func TestWaitOneNodeFast(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
		if t < 300*time.Millisecond {
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")}
		}
		return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, "ok\n")}
	}
	run := startOne(t, api, clock, 1)
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil || res.ExitCode != 0 {
		t.Fatal(err)
	}
	if lag := clock.Now().Sub(fakeEpoch) - 300*time.Millisecond; lag > 500*time.Millisecond {
		t.Errorf("returned %v after the node finished", lag)
	}
	if api.invocationPages+api.listCommands > 3 {
		t.Errorf("%d ListCommandInvocations, %d ListCommands", api.invocationPages, api.listCommands)
	}
}

// Right after sending, AWS may not know the command yet.
func TestWaitToleratesNotYet(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&types.InvalidCommandId{Message: aws.String("no")},
		&types.InvocationDoesNotExist{Message: aws.String("no")},
	} {
		api, clock := newFake()
		api.listErr = func(id string, t time.Duration) error {
			if t < 700*time.Millisecond {
				return err
			}
			return nil
		}
		api.states = func(id string, t time.Duration) []types.CommandInvocation {
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, "ok\n")}
		}
		run := startOne(t, api, clock, 1)
		res, werr := run.Wait(context.Background(), WaitOptions{})
		if werr != nil || res.ExitCode != 0 {
			t.Errorf("%T: %v", err, werr)
		}
	}
	// A run of several commands (three batches): they are missing from
	// the filtered ListCommands at first, and their listings fail.
	api, clock := newFake()
	api.listErr = func(id string, t time.Duration) error {
		if t < 2*time.Second {
			return &types.InvocationDoesNotExist{}
		}
		return nil
	}
	api.states = fleetStates(api, 120, time.Second)
	run := startOne(t, api, clock, 120)
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil || len(res.Invocations) != 120 {
		t.Fatalf("three batches: %v", err)
	}
	if api.filteredListCommands == 0 {
		t.Error("no filtered ListCommands for three commands")
	}
	// Long after sending, it is an error: with one command and with several.
	for _, n := range []int{1, 120} {
		api, clock := newFake()
		api.listErr = func(string, time.Duration) error { return &types.InvalidCommandId{} }
		api.states = fleetStates(api, n, time.Second)
		run := startOne(t, api, clock, n)
		if _, err := run.Wait(context.Background(), WaitOptions{}); err == nil {
			t.Errorf("%d nodes: no error after the settle time", n)
		}
		if waited := clock.Now().Sub(run.SentAt); waited < settleTime || waited > settleTime+2*time.Second {
			t.Errorf("%d nodes: gave up after %v", n, waited)
		}
	}
}

// GetCommandInvocation is called only for output cut at 2,500 characters.
func TestWaitFetchesOnlyTruncatedOutput(t *testing.T) {
	t.Parallel()
	api, clock := newFake()
	long := strings.Repeat("x", 2400)
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
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
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
		if t < 700*time.Millisecond {
			return nil // AWS is still resolving the targets
		}
		return []types.CommandInvocation{inv(id, "i-00000000000000001", "Success", "Success", 0, ""), inv(id, "i-00000000000000002", "Success", "Success", 0, "")}
	}
	api.command = func(id string, t time.Duration) types.Command {
		if t < 700*time.Millisecond {
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
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
		// As the sandbox's reboot scenario: the node reboots for 2.1 s.
		switch {
		case t < 200*time.Millisecond:
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 0, "")}
		case t < 2300*time.Millisecond:
			return []types.CommandInvocation{inv(id, "i-00000000000000001", "InProgress", "InProgress", 194, "")}
		case t < 2500*time.Millisecond:
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
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
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
	api, clock := newFake()
	cancelled := false
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
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
	api, clock := newFake()
	api.states = func(id string, t time.Duration) []types.CommandInvocation {
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
	api.command = func(id string, t time.Duration) types.Command {
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

// Without OnResult (ssmctl run -o json), a large run is listed once, when
// it finishes: 1,000 nodes over 30 s take the progress polls and one
// 20-page listing.
func TestWaitLargeFleetWithoutStreaming(t *testing.T) {
	t.Parallel()
	const n, span = 1000, 30 * time.Second
	api, clock := newFake()
	api.states = fleetStates(api, n, span)
	c := &Client{API: api, Nodes: &fakeNodes{nodes: linuxNodes(n)}, Clock: clock}
	run, err := c.Start(context.Background(), Request{Specs: mustSpecs("tag:Env=prod"), Commands: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Wait(context.Background(), WaitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invocations) != n || res.ExitCode != 1 {
		t.Errorf("%d invocations, exit %d", len(res.Invocations), res.ExitCode)
	}
	if lag := clock.Now().Sub(fakeEpoch) - span; lag < 0 || lag > 1100*time.Millisecond {
		t.Errorf("returned %v after the last node finished", lag)
	}
	if api.invocationPages != n/invocationsPage {
		t.Errorf("%d ListCommandInvocations pages, want one listing of %d", api.invocationPages, n/invocationsPage)
	}
	t.Logf("%d ListCommands, %d ListCommandInvocations pages", api.listCommands, api.invocationPages)
}
