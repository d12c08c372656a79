package runcmd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/ssmctl/ssmctl/pkg/awsretry"
	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Polling (docs/run.md). Every poll, the interval of which starts at
// PollStart and doubles up to PollMax, is one of two kinds:
//
//   - a run whose detailed listing is a single page (one command, at most
//     50 nodes) is simply listed: ListCommandInvocations with details is
//     one call, and ListCommands is asked only once every invocation
//     listed is done but AWS must say whether the command is.
//   - a larger run gets a progress poll: one ListCommands call for all its
//     unfinished commands, whatever the fleet's size. A command is then
//     listed in detail (every page: one per 50 nodes) when the progress
//     poll says it finished (once, at once), or when its CompletedCount
//     grew and ListingInterval has passed since the last listing.
const (
	PollStart = 250 * time.Millisecond
	PollMax   = time.Second
	// listingPerPage and listingMax make ListingInterval.
	listingPerPage = 500 * time.Millisecond
	listingMax     = 10 * time.Second
	// invocationsPage is ListCommandInvocations' MaxResults maximum, and
	// ListCommands' too.
	invocationsPage = 50
	// settleTime is how long after sending "no such command" or "no such
	// invocation" is read as "not there yet" (AWS is eventually consistent).
	settleTime = 30 * time.Second
	// graceAfterExpiry is how long past the command's own timeouts the
	// wait goes on before it gives up, for AWS to report the end;
	// silentGrace replaces it while AWS has not answered since the
	// timeouts passed: a silent endpoint is not lagging behind.
	graceAfterExpiry = 2 * time.Minute
	silentGrace      = 10 * time.Second
	// invokedMargin is how far before the earliest RequestedDateTime the
	// InvokedAfter filter of the progress poll starts; clockSkewMargin is
	// how far before SentAt when AWS gave no RequestedDateTime (the
	// local clock may be off by as much as SigV4 allows).
	invokedMargin   = time.Second
	clockSkewMargin = 5 * time.Minute
)

// NextInterval is the progress poll interval after prev: PollStart first,
// then doubled, at most PollMax.
func NextInterval(prev time.Duration) time.Duration {
	if prev <= 0 {
		return PollStart
	}
	return min(prev*2, PollMax)
}

// ListingInterval is the least time between two detailed listings, made
// because nodes finished, of a run whose listing takes pages pages (one
// per 50 nodes): 500 ms a page, at most 10 s. 120 nodes (3 pages) see
// results every 1.5 s, 1,000 nodes (20 pages) every 10 s.
func ListingInterval(pages int) time.Duration {
	return min(time.Duration(pages)*listingPerPage, listingMax)
}

// Progress is the state of a run while waiting.
type Progress struct {
	Done, Total, Failed int
}

// WaitOptions are the callbacks of Wait. Both are called from Wait's
// goroutine.
type WaitOptions struct {
	// OnResult is called once per node as soon as a detailed listing shows
	// its invocation done, with its full output. Without it nothing needs
	// a node's result before its command ends, so a run of more than one
	// page lists each command once, when it finishes.
	OnResult func(Invocation)
	// OnProgress is called after every poll, with the counts of the
	// progress poll where no listing has caught up yet.
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
	w := newWaiter(r)
	w.listedAt = r.SentAt
	w.stream = opts.OnResult != nil
	return w.loop(ctx, opts)
}

type waiter struct {
	run      *Run
	invs     map[string]*Invocation // by command ID + node ID
	order    []string
	reported map[string]bool
	// state is what the progress poll and the listings know of each
	// command, by command ID.
	state map[string]*commandState
	// listedAt is when the last listing made because nodes finished (not
	// because a command did) was made.
	listedAt time.Time
	// stream: results are wanted as nodes finish (WaitOptions.OnResult).
	stream bool
	// until, if set, is the deadline of its reads instead of the run's.
	until time.Time
	// answeredAt is when the last poll succeeded.
	answeredAt time.Time
}

// commandState is one command as the progress poll last saw it, and what
// its last detailed listing found.
type commandState struct {
	status                      types.CommandStatus
	targets, completed, errored int
	// listedCompleted is CompletedCount at the last detailed listing;
	// listed, listedDone and listedFailed count what that listing held.
	listedCompleted                  int
	listed, listedDone, listedFailed int
}

func newWaiter(r *Run) *waiter {
	w := &waiter{run: r, invs: map[string]*Invocation{}, reported: map[string]bool{}, state: map[string]*commandState{}}
	for _, sc := range r.commands {
		w.state[sc.id] = &commandState{}
	}
	return w
}

func key(commandID, nodeID string) string { return commandID + "/" + nodeID }

func (w *waiter) loop(ctx context.Context, opts WaitOptions) (*Result, error) {
	c := w.run.client
	clock := c.clock()
	interval := time.Duration(0)
	for {
		if err := w.poll(ctx); err != nil {
			return nil, w.gaveUp(ctx, err)
		}
		w.answeredAt = clock.Now()
		for _, k := range w.order {
			inv := w.invs[k]
			if !inv.Done() || w.reported[k] {
				continue
			}
			if err := c.fetchOutput(ctx, w.deadline(), inv); err != nil {
				return nil, w.gaveUp(ctx, err)
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
		if clock.Now().After(w.deadline()) {
			return nil, exitcode.New(exitcode.Timeout, "gave up waiting for %s: not finished %s after its timeouts expired; see `ssmctl run status %s`",
				strings.Join(w.run.CommandIDs, ", "), c.expiryGrace(), w.run.CommandIDs[0])
		}
		interval = NextInterval(interval)
		if err := clock.Sleep(ctx, interval); err != nil {
			return nil, err
		}
	}
}

// poll brings the waiter up to date, the cheapest way for the run's size.
func (w *waiter) poll(ctx context.Context) error {
	if open := w.open(); len(open) == 1 && w.pages() == 1 {
		return w.pollSmall(ctx, open[0])
	}
	if err := w.pollProgress(ctx); err != nil {
		return err
	}
	return w.listDue(ctx)
}

// pollSmall lists a command of at most one page, and asks AWS whether it
// is over only once every invocation listed is done.
func (w *waiter) pollSmall(ctx context.Context, sc *sentCommand) error {
	allDone, err := w.list(ctx, sc)
	if err != nil || sc.done || !allDone {
		return err
	}
	if err := w.pollProgress(ctx); err != nil {
		return err
	}
	// A finished command may have fewer invocations than targets
	// (MaxErrors stopped it): nothing more will come.
	sc.done = commandDone(w.state[sc.id].status)
	return nil
}

// open is the commands not known to be finished.
func (w *waiter) open() []*sentCommand {
	var out []*sentCommand
	for _, sc := range w.run.commands {
		if !sc.done {
			out = append(out, sc)
		}
	}
	return out
}

// settling reports whether "not found" may still mean "not yet".
func (w *waiter) settling() bool {
	return w.run.client.clock().Now().Before(w.run.SentAt.Add(settleTime))
}

// pollProgress reads the status and counts of every unfinished command
// with one ListCommands call: by CommandId when one is left, else by an
// InvokedAfter filter that takes in every command of the run.
func (w *waiter) pollProgress(ctx context.Context) error {
	c := w.run.client
	open := w.open()
	if len(open) == 0 {
		return nil
	}
	found := map[string]types.Command{}
	if len(open) > 1 {
		ids := make([]string, len(open))
		for i, sc := range open {
			ids[i] = sc.id
		}
		var err error
		if found, err = c.commandsSince(ctx, w.deadline(), w.run.invokedAfter(), ids); err != nil {
			return err
		}
	}
	for _, sc := range open {
		cmd, ok := found[sc.id]
		if !ok {
			if len(open) > 1 && w.settling() {
				continue // not in the filtered list yet
			}
			// One command left, or one the filter missed: ask for it by ID.
			one, err := c.command(ctx, w.deadline(), sc.id)
			if err != nil {
				if notThereYet(err) && w.settling() {
					continue
				}
				return err
			}
			cmd = *one
		}
		st := w.state[sc.id]
		st.status = cmd.Status
		st.targets = int(cmd.TargetCount)
		st.completed = int(cmd.CompletedCount)
		st.errored = int(cmd.ErrorCount + cmd.DeliveryTimedOutCount)
	}
	return nil
}

// invokedAfter is the InvokedAfter filter value that takes in every
// command of the run: a second before the earliest RequestedDateTime AWS
// gave, in whole seconds (RFC 3339, as the API documents it).
func (r *Run) invokedAfter() string {
	t := r.SentAt.Add(-clockSkewMargin)
	if !r.requestedAt.IsZero() {
		t = r.requestedAt.Add(-invokedMargin)
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// listDue makes the detailed listings that are due: every command the
// progress poll saw finished, and, once ListingInterval has passed since
// the last listing, every command whose CompletedCount grew.
func (w *waiter) listDue(ctx context.Context) error {
	now := w.run.client.clock().Now()
	due := w.stream && now.Sub(w.listedAt) >= ListingInterval(w.pages())
	listed := false
	for _, sc := range w.open() {
		st := w.state[sc.id]
		final := commandDone(st.status)
		if !final && !(due && st.completed > st.listedCompleted) {
			continue
		}
		if _, err := w.list(ctx, sc); err != nil {
			return err
		}
		listed = listed || !final
	}
	if listed {
		w.listedAt = now
	}
	return nil
}

// pages is how many pages a detailed listing of the unfinished commands
// takes, by what is known of their sizes.
func (w *waiter) pages() int {
	n := 0
	for _, sc := range w.open() {
		st := w.state[sc.id]
		size := max(sc.expected, st.targets, st.listed)
		if size == 0 && w.run.ByTargets {
			size = len(w.run.Nodes) // AWS has not counted yet
		}
		n += max(1, (size+invocationsPage-1)/invocationsPage)
	}
	return n
}

// list lists one command's invocations with details, marks it done when
// every invocation is, and reports whether every invocation listed is.
func (w *waiter) list(ctx context.Context, sc *sentCommand) (bool, error) {
	c := w.run.client
	st := w.state[sc.id]
	polledCompleted := st.completed
	list, err := c.listInvocations(ctx, w.deadline(), sc.id, "")
	if err != nil {
		if notThereYet(err) && w.settling() {
			return false, nil
		}
		return false, err
	}
	allDone := true
	st.listed, st.listedDone, st.listedFailed = len(list), 0, 0
	for _, ci := range list {
		inv := fromAWS(ci, w.run.names)
		k := key(inv.CommandID, inv.NodeID)
		if old, seen := w.invs[k]; seen {
			inv.Rebooted = old.Rebooted
		} else {
			w.order = append(w.order, k)
		}
		if !inv.Done() && rebooting(inv) {
			inv.Rebooted = true
		}
		w.invs[k] = &inv
		switch {
		case !inv.Done():
			allDone = false
		case inv.Failed():
			st.listedDone++
			st.listedFailed++
		default:
			st.listedDone++
		}
	}
	st.listedCompleted = polledCompleted
	// A command sent with InstanceIds is done when each of its nodes is.
	// AWS resolves Targets (and, after MaxErrors, may leave nodes without
	// an invocation): then the command's own status says when it is over.
	sc.done = allDone && (!w.run.ByTargets && len(list) >= sc.expected || commandDone(st.status))
	return allDone, nil
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
	if len(w.open()) > 0 {
		return false
	}
	for _, k := range w.order {
		if !w.reported[k] {
			return false
		}
	}
	return true
}

// progress counts what the listings hold, or what the progress poll
// counted where the listings lag behind.
func (w *waiter) progress() Progress {
	var p Progress
	for _, sc := range w.run.commands {
		st := w.state[sc.id]
		p.Done += max(st.listedDone, st.completed)
		p.Failed += max(st.listedFailed, st.errored)
		n := max(sc.expected, st.listed, st.targets)
		if n == 0 && w.run.ByTargets && !commandDone(st.status) {
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
func (c *Client) listInvocations(ctx context.Context, deadline time.Time, commandID, nodeID string) ([]types.CommandInvocation, error) {
	p := ssm.NewListCommandInvocationsPaginator(c.API, &ssm.ListCommandInvocationsInput{
		CommandId:  aws.String(commandID),
		InstanceId: optional(nodeID),
		Details:    true,
		MaxResults: aws.Int32(invocationsPage),
	}, func(o *ssm.ListCommandInvocationsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var out []types.CommandInvocation
	for p.HasMorePages() {
		var page *ssm.ListCommandInvocationsOutput
		err := c.retry(ctx, deadline, func(ctx context.Context) error {
			var err error
			page, err = p.NextPage(ctx, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, page.CommandInvocations...)
	}
	return out, nil
}

// commandsSince lists the commands invoked after after (an InvokedAfter
// filter value), page by page until every one of ids is found, and
// returns those of ids by command ID.
func (c *Client) commandsSince(ctx context.Context, deadline time.Time, after string, ids []string) (map[string]types.Command, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	found := map[string]types.Command{}
	p := ssm.NewListCommandsPaginator(c.API, &ssm.ListCommandsInput{
		Filters:    []types.CommandFilter{{Key: types.CommandFilterKeyInvokedAfter, Value: aws.String(after)}},
		MaxResults: aws.Int32(invocationsPage),
	}, func(o *ssm.ListCommandsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() && len(found) < len(want) {
		var page *ssm.ListCommandsOutput
		err := c.retry(ctx, deadline, func(ctx context.Context) error {
			var err error
			page, err = p.NextPage(ctx, noSDKRetries)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, cmd := range page.Commands {
			if id := aws.ToString(cmd.CommandId); want[id] {
				found[id] = cmd
			}
		}
	}
	return found, nil
}

// command reads one command with ListCommands.
func (c *Client) command(ctx context.Context, deadline time.Time, commandID string) (*types.Command, error) {
	var out *ssm.ListCommandsOutput
	err := c.retry(ctx, deadline, func(ctx context.Context) error {
		var err error
		out, err = c.API.ListCommands(ctx, &ssm.ListCommandsInput{CommandId: aws.String(commandID)}, noSDKRetries)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out.Commands) == 0 {
		// AWS answers an unknown ID with an empty list; said as the error
		// of that operation, it prints as "ListCommands: InvalidCommandId: ...".
		return nil, &smithy.OperationError{ServiceID: "SSM", OperationName: "ListCommands",
			Err: &types.InvalidCommandId{Message: aws.String("no command " + commandID)}}
	}
	return &out.Commands[0], nil
}

// fetchOutput replaces output that ListCommandInvocations cut at 2,500
// characters with GetCommandInvocation's 24,000 (stdout) and 8,000
// (stderr). Invocations whose output was not cut cost no call.
func (c *Client) fetchOutput(ctx context.Context, deadline time.Time, inv *Invocation) error {
	for i, p := range inv.Plugins {
		if !p.StdoutTruncated && !p.StderrTruncated {
			continue
		}
		in := &ssm.GetCommandInvocationInput{CommandId: aws.String(inv.CommandID), InstanceId: aws.String(inv.NodeID)}
		if len(inv.Plugins) > 1 {
			in.PluginName = aws.String(p.Name)
		}
		var out *ssm.GetCommandInvocationOutput
		err := c.retry(ctx, deadline, func(ctx context.Context) error {
			var err error
			out, err = c.API.GetCommandInvocation(ctx, in, noSDKRetries)
			return err
		})
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

// listAll lists every unfinished command in detail.
func (w *waiter) listAll(ctx context.Context) error {
	for _, sc := range w.open() {
		if _, err := w.list(ctx, sc); err != nil {
			return err
		}
	}
	return nil
}

// Cancel cancels every command of the run and waits up to limit for the
// invocations to report Cancelled (or any other final state). It returns
// what the invocations are at the end; its error names the commands it
// could not cancel.
func (r *Run) Cancel(ctx context.Context, limit time.Duration) (*Result, error) {
	c := r.client
	r.cancelled = true
	clock := c.clock()
	deadline := clock.Now().Add(limit)
	var firstErr error
	r.notCancelled, firstErr = c.cancelAll(ctx, r.CommandIDs, deadline)
	w := newWaiter(r)
	w.until = deadline
	for {
		if err := w.listAll(ctx); err != nil {
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

// cancelAll sends CancelCommand for each of ids, retrying passing failures
// until deadline (cancelling twice is harmless). It returns the IDs it
// could not cancel and the first failure.
func (c *Client) cancelAll(ctx context.Context, ids []string, deadline time.Time) (left []string, firstErr error) {
	for _, id := range ids {
		err := c.retry(ctx, deadline, func(ctx context.Context) error {
			_, err := c.API.CancelCommand(ctx, &ssm.CancelCommandInput{CommandId: aws.String(id)}, noSDKRetries)
			return err
		})
		if err != nil {
			left = append(left, id)
			if firstErr == nil {
				firstErr = fmt.Errorf("cancel %s: %w", id, err)
			}
		}
	}
	return left, firstErr
}

// retry runs a read (or a call safe to repeat) with the run's retry rule
// (awsretry): passing failures retried until deadline (zero: the budget
// of a read nothing waits on), each attempt with its own timeout.
//
// A read of a wait that keeps failing says so once on stderr (at its third
// attempt), so a user watching a spinner knows why nothing moves and until
// when ssmctl will try.
func (c *Client) retry(ctx context.Context, deadline time.Time, fn func(ctx context.Context) error) error {
	p := c.readPolicy(deadline)
	if !deadline.IsZero() {
		p.OnRetry = func(err error, attempt int) {
			if attempt == retryWarnAttempt {
				c.warn("AWS is not answering as it should (%s); retrying until %s", exitcode.Message(err), deadline.Local().Format("15:04:05"))
			}
		}
	}
	return awsretry.Do(ctx, p, fn)
}

// retryWarnAttempt is the failed attempt of a wait's read that warns.
const retryWarnAttempt = 3

func (c *Client) expiryGrace() time.Duration {
	if c.ExpiryGrace > 0 {
		return c.ExpiryGrace
	}
	return graceAfterExpiry
}

// deadline is when the wait gives up: the command's own timeouts plus a
// grace period (2 minutes for AWS to report the end; 10 s when AWS has not
// answered since the timeouts passed), or the cancel's limit.
func (w *waiter) deadline() time.Time {
	if !w.until.IsZero() {
		return w.until
	}
	grace := w.run.client.expiryGrace()
	if !w.answeredAt.After(w.run.Expires) {
		grace = min(grace, silentGrace)
	}
	return w.run.Expires.Add(grace)
}

// gaveUp is the error of a wait that ended on err: the run's command IDs
// and how to look at them later, for the commands go on without ssmctl.
// A passing failure that lasted to the deadline is a timeout (124);
// others keep their code.
func (w *waiter) gaveUp(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	code := exitcode.Code(err)
	if awsretry.Classify(err).Passing {
		code = exitcode.Timeout
	}
	ids := w.run.CommandIDs
	return &exitcode.Error{Code: code, Err: fmt.Errorf("gave up waiting for %s, which may still be running (see `ssmctl run status %s`): %s",
		strings.Join(ids, ", "), ids[0], exitcode.Message(err))}
}
