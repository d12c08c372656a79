package opsitems

import (
	"context"
	"fmt"
	"strings"
)

// RunFailure is a Run Command command that failed on some nodes.
type RunFailure struct {
	CommandID, Document string
	FailedNodes         []string
}

// RunSource is the source of the OpsItems failed runs open.
const RunSource = "ssmctl"

// ForRun is the OpsItem a failed run opens: source ssmctl, the command
// ID, document and failed nodes as searchable operational data, and the
// command ID as its deduplication string, so the same command never opens
// two.
func ForRun(f RunFailure) NewItem {
	nodes := strings.Join(f.FailedNodes, ",")
	if len(nodes) > MaxDataValue {
		cut := strings.LastIndexByte(nodes[:MaxDataValue-16], ',')
		nodes = nodes[:cut] + ",..."
	}
	return NewItem{
		Title:  fmt.Sprintf("ssmctl run %s failed on %s", f.CommandID, plural(len(f.FailedNodes), "node", "nodes")),
		Source: RunSource,
		Description: fmt.Sprintf("Run Command command %s (document %s) failed on %s: %s.\n\nssmctl run status %s shows each node's result.",
			f.CommandID, f.Document, plural(len(f.FailedNodes), "node", "nodes"), strings.Join(f.FailedNodes, ", "), f.CommandID),
		Data: map[string]Data{
			"commandId":   {Value: f.CommandID, Searchable: true},
			"document":    {Value: f.Document, Searchable: true},
			"failedNodes": {Value: nodes, Searchable: true},
		},
		Dedup: "ssmctl-run-" + f.CommandID,
	}
}

// OpenForRun opens (or, deduplicated, finds) the OpsItem of a failed run.
func (c *Client) OpenForRun(ctx context.Context, f RunFailure) (Created, error) {
	n := ForRun(f)
	if len(n.Description) > MaxDescription {
		n.Description = n.Description[:MaxDescription-3] + "..."
	}
	return c.Create(ctx, n)
}
