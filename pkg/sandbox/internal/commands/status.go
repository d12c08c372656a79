package commands

// A command's aggregate Status and StatusDetails.

// status computes the command's aggregate Status and StatusDetails from its
// invocations, following "Understanding command statuses": errors (Failed,
// ExecutionTimedOut) beyond MaxErrors make it Failed; delivery timeouts
// beyond MaxErrors make it TimedOut; Undeliverable and InvalidPlatform
// invocations count only when nothing else succeeded.
func (c *command) status() (status, details string) {
	n := len(c.Invocations)
	if n == 0 {
		return "Success", "NoInstancesInTag"
	}
	var terminal, pending, success, neutral, failed, execTimedOut, dto int
	for _, inv := range c.Invocations {
		if inv.terminal() {
			terminal++
		}
		switch inv.StatusDetails {
		case "Pending":
			pending++
		case "Success":
			success++
		case "Undeliverable", "InvalidPlatform", "AccessDenied":
			neutral++
		case "Failed":
			failed++
		case "ExecutionTimedOut":
			execTimedOut++
		case "DeliveryTimedOut":
			dto++
		}
	}
	if terminal < n {
		switch {
		case c.CancelRequested:
			return "Cancelling", "Cancelling"
		case pending == n:
			return "Pending", "Pending"
		}
		return "InProgress", "InProgress"
	}
	switch {
	case c.CancelRequested:
		return "Cancelled", "Cancelled"
	case failed+execTimedOut > c.errorLimit && failed > 0:
		return "Failed", "Failed"
	case failed+execTimedOut > c.errorLimit:
		return "TimedOut", "ExecutionTimedOut"
	case dto > c.errorLimit:
		return "TimedOut", "DeliveryTimedOut"
	case success+neutral == n && success > 0:
		return "Success", "Success"
	case neutral == n:
		return "Failed", "Failed"
	}
	return "Success", "Incomplete"
}
