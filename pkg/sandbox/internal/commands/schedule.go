package commands

import (
	"context"
	"time"
)

// Starting a command and scheduling its invocations under MaxConcurrency and MaxErrors.

type invocationEvent struct {
	acked bool // the delivery attempt settled (delivered or not deliverable)
	done  bool
	error bool // Failed or ExecutionTimedOut: counts against MaxErrors
}

// start runs a command's scheduler in the background.
func (a *fleetAgent) start(c *command) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.schedule(c)
	}()
}

// schedule sends the command to its targets in order. As "Using
// concurrency controls" describes, it sends to one node first, then to two
// more once that one is acknowledged, and so on exponentially up to
// MaxConcurrency. Once more invocations failed than MaxErrors allows, the
// targets not yet sent are Terminated ("subsequent command invocations were
// canceled by the system") while those running finish. Targets not sent
// when the delivery timeout (TimeoutSeconds) passes are DeliveryTimedOut.
func (a *fleetAgent) schedule(c *command) {
	s := a.area
	events := make(chan invocationEvent, 2*len(c.Invocations)+1)
	deliveryTimer := time.NewTimer(max(0, time.Until(c.Requested.Add(s.scaled(time.Duration(c.TimeoutSeconds)*time.Second)))))
	defer deliveryTimer.Stop()
	n := len(c.Invocations)
	next, running, acked, errs := 0, 0, 0, 0
	deliveryExpired, cancelled := false, false
	cancelCh := c.cancelCh // closed by CancelCommand; nil once handled
	for {
		allowed := min(c.concurrency, 2*acked+1)
		for next < n && running < allowed && !deliveryExpired && !cancelled && errs <= c.errorLimit {
			inv := c.Invocations[next]
			next++
			ctx, cancel := context.WithCancel(a.ctx)
			send := false
			s.update(func() {
				if inv.terminal() { // cancelled before it was sent
					return
				}
				inv.dispatched, inv.cancel, send = true, cancel, true
				inv.Status, inv.StatusDetails = "InProgress", "InProgress"
			})
			if !send {
				cancel()
				continue
			}
			running++
			go func() {
				defer cancel()
				a.invoke(ctx, c, inv, events)
			}()
		}
		if next < n && (cancelled || deliveryExpired || errs > c.errorLimit) {
			status, details := "Cancelled", "Terminated"
			switch {
			case cancelled:
				details = "Cancelled"
			case deliveryExpired:
				status, details = "TimedOut", "DeliveryTimedOut"
			}
			s.update(func() {
				for _, inv := range c.Invocations[next:] {
					if !inv.terminal() {
						inv.setAll(status, details)
					}
				}
			})
			next = n
		}
		if next >= n && running == 0 {
			break
		}
		select {
		case ev := <-events:
			if ev.acked {
				acked++
			}
			if ev.done {
				running--
				if ev.error {
					errs++
				}
			}
		case <-deliveryTimer.C:
			deliveryExpired = true
		case <-cancelCh:
			cancelled = true
			cancelCh = nil // a nil channel blocks: handle the cancel once
		case <-a.ctx.Done():
			cancelled = true
		}
	}
	if err := s.sec.Save(); err != nil {
		s.h.Log("sandbox: saving state: %v", err)
	}
}

// nodeView is what an invocation needs of its node, copied under the lock.
type nodeView struct {
	exists   bool
	ping     string
	platform string
	latency  time.Duration
	dir      string
}

func (n nodeView) windows() bool { return n.platform == "Windows" }
