package commands

import (
	"context"
	"slices"
	"time"
)

// Delivering one invocation to its node and running it there.

// invoke delivers the command to one node and runs it there.
func (a *fleetAgent) invoke(ctx context.Context, c *command, inv *invocation, events chan<- invocationEvent) {
	s := a.area
	ackSent := false
	ack := func() {
		if !ackSent {
			ackSent = true
			events <- invocationEvent{acked: true}
		}
	}
	isError := false
	defer func() {
		ack()
		events <- invocationEvent{done: true, error: isError}
	}()
	finish := func(status, details string) {
		s.update(func() { inv.setAll(status, details) })
	}

	var node nodeView
	if n, ok := s.nodes.Get(inv.InstanceID); ok {
		node = nodeView{exists: true, ping: n.Ping, platform: n.Platform.Type, latency: n.Latency}
	}
	switch {
	case !node.exists || node.ping == "Inactive":
		// "Undeliverable: The command can't be delivered to the managed
		// node. The managed node might not exist or might not be
		// responding."
		finish("Failed", "Undeliverable")
		return
	case !slices.Contains(c.platforms, node.platform):
		// "Invalid Platform: The command was sent to an instance that
		// didn't match the required platforms specified by the chosen
		// document."
		finish("Failed", "InvalidPlatform")
		return
	case node.ping == "ConnectionLost":
		// The agent is unreachable: the service keeps retrying (Delayed)
		// until the command expires, then reports DeliveryTimedOut.
		s.update(func() {
			if inv.Status == "InProgress" {
				inv.Status, inv.StatusDetails = "Delayed", "Delayed"
			}
		})
		ack()
		select {
		case <-time.After(time.Until(c.Expires)):
			finish("TimedOut", "DeliveryTimedOut")
		case <-ctx.Done():
			finish("Cancelled", "Cancelled")
		}
		return
	}
	// The node's latency delays delivery.
	if node.latency > 0 {
		select {
		case <-time.After(node.latency):
		case <-ctx.Done():
			finish("Cancelled", "Cancelled")
			return
		}
	}
	if time.Now().After(c.Expires) {
		finish("TimedOut", "DeliveryTimedOut")
		return
	}
	dir, err := s.nodes.Dir(inv.InstanceID)
	if err != nil {
		s.h.Log("sandbox: node %s: %v", inv.InstanceID, err)
		finish("Failed", "Undeliverable")
		return
	}
	node.dir = dir
	ack()

	r := &runner{a: a, c: c, inv: inv, node: node, ctx: ctx}
	statuses := r.runSteps(c.steps, inv.Plugins, 1)
	status := mergeStatus(statuses)
	details := status
	if status == "TimedOut" {
		details = "ExecutionTimedOut"
	}
	isError = status == "Failed" || status == "TimedOut"
	s.update(func() { inv.Status, inv.StatusDetails = status, details })
}

// mergeStatus aggregates plugin results as the agent does
// (contracts.DocumentResultAggregator): Failed > TimedOut > Cancelled >
// Success; skipped steps count as success.
func mergeStatus(statuses []string) string {
	for _, want := range []string{"Failed", "TimedOut", "Cancelled"} {
		if slices.Contains(statuses, want) {
			return want
		}
	}
	return "Success"
}
