package runcmd

import (
	"context"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// InvocationsOn is Invocations on the nodes a target spec selects: a name,
// a glob, a tag or an ID, as run takes them. A spec that selects one node
// lists its invocation alone; one that selects several keeps theirs from
// the command's listing. A spec that selects no node the command ran on
// is a usage error.
func (c *Client) InvocationsOn(ctx context.Context, commandID string, specs []target.Spec, fullOutput bool) ([]Invocation, error) {
	if len(specs) == 1 && specs[0].Kind == target.KindID {
		return c.Invocations(ctx, commandID, specs[0].ID, fullOutput)
	}
	nodes, err := c.Nodes.Resolve(ctx, target.Query{Specs: specs})
	if err != nil {
		return nil, err
	}
	if len(nodes) == 1 {
		return c.Invocations(ctx, commandID, nodes[0].ID, fullOutput)
	}
	keep := map[string]bool{}
	for _, n := range nodes {
		keep[n.ID] = true
	}
	invs, err := c.invocations(ctx, commandID, "", keep, fullOutput)
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, exitcode.Usagef("command %s has no invocation on the nodes %s matches", commandID, specList(specs))
	}
	return invs, nil
}

// NodeIDs resolves target specs to node IDs. A node ID is taken as it is,
// so a node that is gone can still be named.
func (c *Client) NodeIDs(ctx context.Context, specs []target.Spec) ([]string, error) {
	var ids []string
	var rest []target.Spec
	for _, s := range specs {
		if s.Kind == target.KindID {
			ids = append(ids, s.ID)
		} else {
			rest = append(rest, s)
		}
	}
	if len(rest) == 0 {
		return ids, nil
	}
	nodes, err := c.Nodes.Resolve(ctx, target.Query{Specs: rest})
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	return ids, nil
}
