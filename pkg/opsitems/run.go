package opsitems

import (
	"context"
	"fmt"
	"strings"
)

// RunFailure is a Run Command run that failed on some nodes: its command
// IDs (one per batch of 50 nodes), document and failed nodes.
type RunFailure struct {
	CommandIDs  []string
	Document    string
	FailedNodes []string
}

// RunSource is the source of the OpsItems failed runs open.
const RunSource = "ssmctl"

// ForRun is the OpsItem a failed run opens: source ssmctl, the command
// IDs, document and failed nodes as searchable operational data
// (commandId, document, failedNodes), and the (first) command ID as its
// deduplication string, so the same run never opens two.
func ForRun(f RunFailure) NewItem {
	ids := strings.Join(f.CommandIDs, ",")
	nodes := strings.Join(f.FailedNodes, ",")
	if len(nodes) > MaxDataValue {
		cut := strings.LastIndexByte(nodes[:MaxDataValue-4], ',')
		nodes = nodes[:cut] + ",..."
	}
	failed := plural(len(f.FailedNodes), "node", "nodes")
	desc := fmt.Sprintf("Run Command command %s (document %s) failed on %s: %s.\n\n`ssmctl run status %s` shows each node's result.",
		ids, f.Document, failed, strings.Join(f.FailedNodes, ", "), f.CommandIDs[0])
	if len(desc) > MaxDescription {
		desc = desc[:MaxDescription-3] + "..."
	}
	return NewItem{
		Title:       fmt.Sprintf("ssmctl run %s failed on %s", f.CommandIDs[0], failed),
		Source:      RunSource,
		Description: desc,
		Data: map[string]Data{
			"commandId":   {Value: ids, Searchable: true},
			"document":    {Value: f.Document, Searchable: true},
			"failedNodes": {Value: nodes, Searchable: true},
		},
		Dedup: "ssmctl-run-" + f.CommandIDs[0],
	}
}

// OpenForRun opens the OpsItem of a failed run, or finds the one already
// open for it.
func (c *Client) OpenForRun(ctx context.Context, f RunFailure) (Created, error) {
	return c.Create(ctx, ForRun(f))
}
