package runcmd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Polling (docs/run.md): the interval starts short, so quick commands
// return quickly, and doubles while nothing changes, up to a cap.
const (
	PollStart = 250 * time.Millisecond
	PollMax   = 5 * time.Second
	// invocationsPage is ListCommandInvocations' MaxResults maximum.
	invocationsPage = 50
	// settleTime is how long after sending "no such command" or "no such
	// invocation" is read as "not there yet" (AWS is eventually consistent).
	settleTime = 30 * time.Second
	// graceAfterExpiry is how long past the command's own timeouts the
	// wait goes on before it gives up.
	graceAfterExpiry = 2 * time.Minute
)

// NextInterval is the poll interval after prev: unchanged when the last
// poll saw progress, else doubled, at most PollMax.
func NextInterval(prev time.Duration, progressed bool) time.Duration {
	if prev <= 0 {
		return PollStart
	}
	if progressed {
		return prev
	}
	return min(prev*2, PollMax)
}

// Progress is the state of a run while waiting.
type Progress struct {
	Done, Total, Failed int
}

// WaitOptions are the callbacks of Wait. Both are called from Wait's
// goroutine.
type WaitOptions struct {
	// OnResult is called once per node as soon as its invocation is done,
	// with its full output.
	OnResult func(Invocation)
	// OnProgress is called after every poll.
	OnProgress func(Progress)
}

// Result is a finished run.
type Result struct {
	Invocations []Invocation
	// ExitCode is the run's exit code (see ExitCode).
	ExitCode int
}

// Wait polls until every invocation of the run is done, reporting each one
// as it finishes. It gives up only when the command's own timeouts have
// passed (plus a grace period). When ctx ends it returns ctx's error; the
// caller then cancels the run (Cancel).
func (r *Run) Wait(ctx context.Context, opts WaitOptions) (*Result, error) {
	w := &waiter{run: r, invs: map[string]*Invocation{}, reported: map[string]bool{}}
	return w.loop(ctx, opts)
}

type waiter struct {
	run      *Run
	invs     map[string]*Invocation // by command ID + node ID
	order    []string
	reported map[string]bool
	targets  map[string]int // TargetCount of commands sent with Targets
}

func key(commandID, nodeID string) string { return commandID + "/" + nodeID }

func (w *waiter) loop(ctx context.Context, opts WaitOptions) (*Result, error) {
	c := w.run.client
	clock := c.clock()
	interval := time.Duration(0)
	for {
		progressed, err := w.poll(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range w.order {
			inv := w.invs[k]
			if !inv.Done() || w.reported[k] {
				continue
			}
			if err := c.fetchOutput(ctx, inv); err != nil {
				return nil, err
			}
			w.reported[k] = true
			if opts.OnResult != nil {
				opts.OnResult(*inv)
			}
		}
		if opts.OnProgress != nil {
			opts.OnProgress(w.progress())
		}
		if w.finished() {
			return w.result(), nil
		}
		if clock.Now().After(w.run.Expires.Add(graceAfterExpiry)) {
			return nil, exitcode.New(exitcode.Timeout, "gave up waiting for %s: not finished %s after its timeouts expired",
				joinIDs(w.run.CommandIDs), graceAfterExpiry)
		}
		interval = NextInterval(interval, progressed)
		if err := clock.Sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// poll lists the invocations of every unfinished command. It reports
// whether anything changed.
func (w *waiter) poll(ctx context.Context) (bool, error) {
	c := w.run.client
	progressed := false
	for _, sc := range w.run.commands {
		if sc.done {
			continue
		}
		list, err := c.listInvocations(ctx, sc.id, "")
		if err != nil {
			if notThereYet(err) && c.clock().Now().Before(w.run.SentAt.Add(settleTime)) {
				continue
			}
			return false, err
		}
		allDone := true
		for _, ci := range list {
			inv := fromAWS(ci, w.run.names)
			k := key(inv.CommandID, inv.NodeID)
			old, seen := w.invs[k]
			if !seen {
				w.order = append(w.order, k)
				progressed = true
			} else {
				inv.Rebooted = old.Rebooted
				if old.Status != inv.Status || old.StatusDetails != inv.StatusDetails {
					progressed = true
				}
			}
			if !inv.Done() && rebooting(inv) {
				inv.Rebooted = true
			}
			w.invs[k] = &inv
			if !inv.Done() {
				allDone = false
			}
		}
		switch {
		case !allDone:
		case !w.run.ByTargets && len(list) >= sc.expected:
			sc.done = true
		default:
			// AWS resolves Targets (and, after MaxErrors, may leave nodes
			// without an invocation): the command's own status says when
			// it is over.
			cmd, err := c.command(ctx, sc.id)
			if err != nil {
				if notThereYet(err) && c.clock().Now().Before(w.run.SentAt.Add(settleTime)) {
					continue
				}
				return false, err
			}
			if w.run.ByTargets {
				if w.targets == nil {
					w.targets = map[string]int{}
				}
				w.targets[sc.id] = int(cmd.TargetCount)
			}
			// A finished command may have fewer invocations than targets
			// (MaxErrors stopped it): nothing more will come.
			sc.done = commandDone(cmd.Status)
		}
	}
	return progressed, nil
}

// rebooting reports whether a running invocation's plugin asked for a
// reboot (exit 194, or 3010 on Windows): the agent reboots the node and
// runs the script again.
func rebooting(inv Invocation) bool {
	for _, p := range inv.Plugins {
		if p.ResponseCode == exitcode.RebootPending || p.ResponseCode == exitcode.RebootPendingWindows {
			return true
		}
	}
	return false
}

func commandDone(s types.CommandStatus) bool {
	switch s {
	case types.CommandStatusSuccess, types.CommandStatusFailed, types.CommandStatusTimedOut, types.CommandStatusCancelled:
		return true
	}
	return false
}

func (w *waiter) finished() bool {
	for _, sc := range w.run.commands {
		if !sc.done {
			return false
		}
	}
	for _, k := range w.order {
		if !w.reported[k] {
			return false
		}
	}
	return true
}

func (w *waiter) progress() Progress {
	var p Progress
	perCommand := map[string]int{}
	for _, k := range w.order {
		inv := w.invs[k]
		perCommand[inv.CommandID]++
		if inv.Done() {
			p.Done++
			if inv.Failed() {
				p.Failed++
			}
		}
	}
	for _, sc := range w.run.commands {
		n := max(sc.expected, perCommand[sc.id], w.targets[sc.id])
		if sc.expected == 0 && n == 0 && w.run.ByTargets {
			n = len(w.run.Nodes) // AWS has not counted yet; the resolved nodes are the best guess
		}
		p.Total += n
	}
	return p
}

func (w *waiter) result() *Result {
	invs := make([]Invocation, 0, len(w.order))
	for _, k := range w.order {
		inv := *w.invs[k]
		if w.run.cancelled && inv.State() == StateCancelled {
			inv.CancelledByUs = true
		}
		invs = append(invs, inv)
	}
	SortInvocations(invs)
	return &Result{Invocations: invs, ExitCode: ExitCode(invs)}
}

// SortInvocations orders invocations by node name, then node ID.
func SortInvocations(invs []Invocation) {
	sort.SliceStable(invs, func(i, j int) bool {
		if invs[i].Name != invs[j].Name {
			return invs[i].Name < invs[j].Name
		}
		return invs[i].NodeID < invs[j].NodeID
	})
}

// listInvocations pages through ListCommandInvocations with details.
func (c *Client) listInvocations(ctx context.Context, commandID, nodeID string) ([]types.CommandInvocation, error) {
	p := ssm.NewListCommandInvocationsPaginator(c.API, &ssm.ListCommandInvocationsInput{
		CommandId:  aws.String(commandID),
		InstanceId: optional(nodeID),
		Details:    true,
		MaxResults: aws.Int32(invocationsPage),
	}, func(o *ssm.ListCommandInvocationsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []types.CommandInvocation
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.CommandInvocations...)
	}
	return out, nil
}

// command reads one command with ListCommands.
func (c *Client) command(ctx context.Context, commandID string) (*types.Command, error) {
	out, err := c.API.ListCommands(ctx, &ssm.ListCommandsInput{CommandId: aws.String(commandID)})
	if err != nil {
		return nil, err
	}
	if len(out.Commands) == 0 {
		return nil, &types.InvalidCommandId{Message: aws.String("no command " + commandID)}
	}
	return &out.Commands[0], nil
}

// fetchOutput replaces output that ListCommandInvocations cut at 2,500
// characters with GetCommandInvocation's 24,000 (stdout) and 8,000
// (stderr). Invocations whose output was not cut cost no call.
func (c *Client) fetchOutput(ctx context.Context, inv *Invocation) error {
	for i, p := range inv.Plugins {
		if !p.StdoutTruncated && !p.StderrTruncated {
			continue
		}
		in := &ssm.GetCommandInvocationInput{CommandId: aws.String(inv.CommandID), InstanceId: aws.String(inv.NodeID)}
		if len(inv.Plugins) > 1 {
			in.PluginName = aws.String(p.Name)
		}
		out, err := c.API.GetCommandInvocation(ctx, in)
		if err != nil {
			if notThereYet(err) {
				c.warn("%s: full output not available yet (%s); showing the first %d characters", inv.NodeID, "InvocationDoesNotExist", ListOutputLimit)
				continue // keep the 2,500 characters, marked as cut
			}
			return err
		}
		inv.applyFull(i, out)
	}
	return nil
}

// notThereYet reports AWS's "not found" answers for a command or
// invocation, which right after SendCommand mean "not yet".
func notThereYet(err error) bool {
	var dne *types.InvocationDoesNotExist
	var bad *types.InvalidCommandId
	if errors.As(err, &dne) || errors.As(err, &bad) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvocationDoesNotExist", "InvalidCommandId":
			return true
		}
	}
	return false
}

// Cancel cancels every command of the run and waits up to limit for the
// invocations to report Cancelled (or any other final state). It returns
// what the invocations are at the end.
func (r *Run) Cancel(ctx context.Context, limit time.Duration) (*Result, error) {
	c := r.client
	r.cancelled = true
	var firstErr error
	for _, id := range r.CommandIDs {
		if _, err := c.API.CancelCommand(ctx, &ssm.CancelCommandInput{CommandId: aws.String(id)}); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("cancel %s: %w", id, err)
		}
	}
	w := &waiter{run: r, invs: map[string]*Invocation{}, reported: map[string]bool{}}
	clock := c.clock()
	deadline := clock.Now().Add(limit)
	for {
		if _, err := w.poll(ctx); err != nil {
			return w.result(), errors.Join(firstErr, err)
		}
		done := true
		for _, k := range w.order {
			if !w.invs[k].Done() {
				done = false
			}
		}
		if done || !clock.Now().Before(deadline) {
			return w.result(), firstErr
		}
		if err := clock.Sleep(ctx, max(min(PollStart*2, deadline.Sub(clock.Now())), time.Millisecond)); err != nil {
			return w.result(), errors.Join(firstErr, err)
		}
	}
}

func joinIDs(ids []string) string {
	if len(ids) == 1 {
		return ids[0]
	}
	return fmt.Sprintf("%s (and %d more commands)", ids[0], len(ids)-1)
}
