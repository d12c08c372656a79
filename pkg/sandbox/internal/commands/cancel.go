package commands

import (
	"fmt"
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// CancelCommand.

func (a *Area) cancelCommand(in *cancelCommandInput) (*protocol.Empty, error) {
	var v protocol.Validator
	if v.Required("commandId", in.CommandId != nil) {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	v.Count("instanceIds", len(in.InstanceIds), 0, 50)
	for _, id := range in.InstanceIds {
		v.Pattern("instanceIds.member", id, instanceIDPattern)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range in.InstanceIds {
		if seen[id] {
			return nil, errDuplicateInstanceID()
		}
		seen[id] = true
	}
	var err error
	a.view(func(st *state) {
		c := st.commandByID[*in.CommandId]
		if c == nil {
			err = errInvalidCommandID()
			return
		}
		var targets []*invocation
		if len(in.InstanceIds) == 0 {
			targets = c.Invocations
		} else {
			for _, id := range in.InstanceIds {
				i := slices.IndexFunc(c.Invocations, func(inv *invocation) bool { return inv.InstanceID == id })
				if i < 0 {
					err = protocol.ErrInvalidInstanceID(fmt.Sprintf("Instance %s is not a target of command %s.", id, c.ID))
					return
				}
				targets = append(targets, c.Invocations[i])
			}
		}
		whole := len(in.InstanceIds) == 0 || len(targets) == len(c.Invocations)
		if whole && !c.CancelRequested {
			if s, _ := c.status(); s == "Pending" || s == "InProgress" {
				c.CancelRequested = true
				if c.cancelCh != nil {
					close(c.cancelCh)
				}
			}
		}
		// "There is no guarantee that the command will be terminated":
		// finished invocations stay as they are; those not yet sent are
		// cancelled at once; running ones go through Cancelling while the
		// node kills the process group.
		for _, inv := range targets {
			switch {
			case inv.terminal():
			case !inv.dispatched:
				inv.setAll("Cancelled", "Cancelled")
			default:
				inv.Status, inv.StatusDetails = "Cancelling", "Cancelling"
				if inv.cancel != nil {
					inv.cancel()
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &protocol.Empty{}, nil
}
