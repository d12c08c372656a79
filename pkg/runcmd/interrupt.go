package runcmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Interrupt is what a run does when the user interrupts it: ctx is
// already cancelled by the first interrupt. It cancels every command the
// run sent, waits up to wait for them to be Cancelled, and gives up at
// once when sig delivers a second interrupt. status receives the one line
// that says so. The error exits with the code of the signal that cancelled
// ctx (130 for SIGINT, 129 SIGHUP, 141 SIGPIPE, 143 SIGTERM) when every
// command is known to be cancelled (or the second signal said not to
// wait), else 255 naming what may still run (docs/run.md).
func (r *Run) Interrupt(ctx context.Context, sig <-chan os.Signal, wait time.Duration, status func(format string, args ...any)) error {
	// The signal that cancelled ctx (SIGINT when none says otherwise)
	// gives the exit code (128 + its number) and the words.
	first := exitcode.SignalOf(ctx)
	if len(r.CommandIDs) == 0 && len(r.Unsure) == 0 {
		return exitcode.New(first.Code(), "%s before anything was sent", first)
	}
	// The first signal, which cancelled ctx, also comes to sig, but the
	// two deliveries race: wait a moment for it, so it is not taken for a
	// second one.
	timeout := time.After(time.Second)
drain:
	for {
		select {
		case s := <-sig:
			if s == first.Signal {
				break drain
			}
		case <-timeout:
			break drain
		}
	}
	ids := strings.Join(r.CommandIDs, ", ")
	status("%s: cancelling %s (%s)", capitalize(first.Error()), ids, first.Again())
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	again := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sig:
				// SIGPIPE comes with every write to an output whose
				// reader left; it is no request to stop waiting.
				if s == syscall.SIGPIPE {
					continue
				}
				close(again)
				cancel()
				return
			case <-cctx.Done():
				return
			}
		}
	}()
	res, err := r.Cancel(cctx, wait)
	select {
	case <-again:
		return exitcode.New(first.Code(), "%s again: not waiting for %s to be cancelled", first, ids)
	default:
	}
	if running := r.stillRunning(res, err); len(running) > 0 {
		return exitcode.New(exitcode.Other, "%s; still running: %s: cancel with `ssmctl run cancel ID`", first, strings.Join(running, ", "))
	}
	return exitcode.New(first.Code(), "%s; cancelled %s", first, ids)
}

// capitalize starts a status line with a capital letter.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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
