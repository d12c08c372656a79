package target

import "context"

// Names is the display name of each of the node IDs that has one, for
// commands that show nodes AWS names by ID (a command's invocations, a
// session's target), so they show the names `run` and `nodes` show. It is
// best effort: a node that is gone, or any error, leaves IDs without a
// name, never fails the command.
func Names(ctx context.Context, r NodeResolver, ids []string) map[string]string {
	seen := map[string]bool{}
	var specs []Spec
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if s, err := Parse(id); err == nil && s.Kind == KindID {
			specs = append(specs, s)
		}
	}
	if len(specs) == 0 || r == nil {
		return nil
	}
	nodes, err := r.Resolve(ctx, Query{Specs: specs, WithNames: true})
	if err != nil {
		return nil
	}
	names := make(map[string]string, len(nodes))
	for _, n := range nodes {
		if n.Name != "" && n.Name != n.ID {
			names[n.ID] = n.Name
		}
	}
	return names
}
