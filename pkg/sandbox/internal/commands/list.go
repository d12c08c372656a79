package commands

import (
	"slices"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// ListCommands and ListCommandInvocations.

func (a *Area) listCommands(in *listCommandsInput) (*listCommandsOutput, error) {
	var v protocol.Validator
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	f, err := parseCommandFilters(&v, in.Filters, true)
	if err != nil {
		return nil, err
	}
	size := defaultCommandPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	fp := protocol.PageFingerprint("ListCommands", in.CommandId, in.InstanceId, in.Filters)
	var out listCommandsOutput
	a.view(func(st *state) {
		var matched []*command
		for i := len(st.Commands) - 1; i >= 0; i-- { // newest first
			c := st.Commands[i]
			if in.CommandId != nil && c.ID != *in.CommandId {
				continue
			}
			if in.InstanceId != nil && !slices.ContainsFunc(c.Invocations, func(inv *invocation) bool { return inv.InstanceID == *in.InstanceId }) {
				continue
			}
			if !f.matchCommon(c) {
				continue
			}
			status, details := c.status()
			if !statusMatches(f.statuses, status, details) {
				continue
			}
			done := status != "Pending" && status != "InProgress" && status != "Cancelling"
			if f.stage == "Executing" && done || f.stage == "Complete" && !done {
				continue
			}
			matched = append(matched, c)
		}
		var ok bool
		if out.Commands, out.NextToken, ok = protocol.PageOf(matched, protocol.Deref(in.NextToken), fp, size, a.commandWire); !ok {
			err = protocol.ErrInvalidNextToken()
		}
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *Area) listCommandInvocations(in *listCommandInvocationsInput) (*listCommandInvocationsOutput, error) {
	var v protocol.Validator
	if in.CommandId != nil {
		v.Length("commandId", *in.CommandId, 36, 36)
	}
	if in.InstanceId != nil {
		v.Pattern("instanceId", *in.InstanceId, instanceIDPattern)
	}
	v.IntRange("maxResults", in.MaxResults, 1, 50)
	f, err := parseCommandFilters(&v, in.Filters, false)
	if err != nil {
		return nil, err
	}
	size := defaultCommandPage
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	details := in.Details != nil && *in.Details
	fp := protocol.PageFingerprint("ListCommandInvocations", in.CommandId, in.InstanceId, in.Filters, details)
	var out listCommandInvocationsOutput
	a.view(func(st *state) {
		type pair struct {
			c   *command
			inv *invocation
		}
		var matched []pair
		for i := len(st.Commands) - 1; i >= 0; i-- {
			c := st.Commands[i]
			if in.CommandId != nil && c.ID != *in.CommandId || !f.matchCommon(c) {
				continue
			}
			for _, inv := range c.Invocations {
				if in.InstanceId != nil && inv.InstanceID != *in.InstanceId {
					continue
				}
				if !statusMatches(f.statuses, inv.Status, inv.StatusDetails) {
					continue
				}
				matched = append(matched, pair{c, inv})
			}
		}
		off, ok := protocol.DecodePageToken(protocol.Deref(in.NextToken), fp, len(matched))
		if !ok {
			err = protocol.ErrInvalidNextToken()
			return
		}
		from, to, next := protocol.Page(len(matched), off, size, fp)
		out.CommandInvocations = make([]commandInvocationWire, 0, to-from)
		for _, m := range matched[from:to] {
			out.CommandInvocations = append(out.CommandInvocations, a.invocationWire(m.c, m.inv, details))
		}
		out.NextToken = next
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
