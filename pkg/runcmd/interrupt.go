package runcmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Interrupt is what a run does when the user interrupts it: ctx is
// already cancelled by the first interrupt. It cancels every command the
// run sent, waits up to wait for them to be Cancelled, and gives up at
// once when sig delivers a second interrupt. status receives the one line
// that says so. The error exits 130 when every command is known to be
// cancelled (or the second interrupt said not to wait), else 255 naming
// what may still run (docs/run.md).
func (r *Run) Interrupt(ctx context.Context, sig <-chan os.Signal, wait time.Duration, status func(format string, args ...any)) error {
	if len(r.CommandIDs) == 0 && len(r.Unsure) == 0 {
		return exitcode.New(exitcode.Interrupted, "interrupted before anything was sent")
	}
	// The first interrupt, which cancelled ctx, also comes to sig, but the
	// two deliveries race: wait a moment for it, so it is not taken for a
	// second one.
	select {
	case <-sig:
	case <-time.After(time.Second):
	}
	ids := strings.Join(r.CommandIDs, ", ")
	status("Interrupted: cancelling %s (Ctrl-C again to stop waiting)", ids)
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	again := make(chan struct{})
	go func() {
		select {
		case <-sig:
			close(again)
			cancel()
		case <-cctx.Done():
		}
	}()
	res, err := r.Cancel(cctx, wait)
	select {
	case <-again:
		return exitcode.New(exitcode.Interrupted, "interrupted again: not waiting for %s to be cancelled", ids)
	default:
	}
	if running := r.stillRunning(res, err); len(running) > 0 {
		return exitcode.New(exitcode.Other, "interrupted; still running: %s: cancel with `ssmctl run cancel ID`", strings.Join(running, ", "))
	}
	return exitcode.New(exitcode.Interrupted, "interrupted; cancelled %s", ids)
}

// stillRunning lists what an interrupted run could not be sure it
// stopped: commands whose CancelCommand failed, commands with nodes not
// yet done, and sends that may have landed unseen (by their mark). err is
// Cancel's: when it failed to list, nothing is confirmed.
func (r *Run) stillRunning(res *Result, err error) []string {
	var out []string
	open := map[string]int{}
	for _, inv := range res.Invocations {
		if !inv.Done() {
			open[inv.CommandID]++
		}
	}
	for _, id := range r.CommandIDs {
		switch {
		case slices.Contains(r.notCancelled, id):
			out = append(out, id+" (cancelling failed)")
		case open[id] > 0:
			out = append(out, fmt.Sprintf("%s (%d node(s) not yet cancelled)", id, open[id]))
		case err != nil:
			out = append(out, id+" (cancel not confirmed: "+exitcode.Message(err)+")")
		}
	}
	for _, mark := range r.Unsure {
		out = append(out, fmt.Sprintf("the command with comment %q, if it was sent (find it with `ssmctl run list`)", mark))
	}
	return out
}
