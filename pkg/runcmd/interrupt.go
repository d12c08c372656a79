package runcmd

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Interrupt is what a run does when the user interrupts it: ctx is
// already cancelled by the first interrupt. It cancels every command the
// run sent, waits up to wait for them to be Cancelled, and gives up at
// once when sig delivers a second interrupt. status receives the one line
// that says so. The error always exits 130 and says how far cancelling
// got.
func (r *Run) Interrupt(ctx context.Context, sig <-chan os.Signal, wait time.Duration, status func(format string, args ...any)) error {
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
	if err != nil {
		return exitcode.New(exitcode.Interrupted, "interrupted; cancelling failed: %s", exitcode.Message(err))
	}
	open := 0
	for _, inv := range res.Invocations {
		if !inv.Done() {
			open++
		}
	}
	if open > 0 {
		return exitcode.New(exitcode.Interrupted, "interrupted; cancel requested, %d node(s) not yet cancelled", open)
	}
	return exitcode.New(exitcode.Interrupted, "interrupted; cancelled %s", ids)
}
